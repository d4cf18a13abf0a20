// Fleet benchmark: `pnpm bench fleet [--projects 1000] [--memories 1000] [--concurrency 2] [--processes 1,2]`.
// Builds one PostgreSQL database of N due projects × M generated memories (every project holds the same
// M memories), then for each worker-process count: copies it (CREATE DATABASE … TEMPLATE), runs the
// scheduled sweep (which enqueues one job per project), starts that many `memcons worker` processes
// and waits until every job finished. Prints one JSON line per process count and one with the speed-up.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createProject, generateMemories, insertMemories } from "@memcons/consolidation-core/testing";
import { createDatabase, type Database, migrate, taskMemories } from "@memcons/models";
import { runScheduledConsolidation } from "@memcons/scheduler";
import { getTableColumns, sql } from "drizzle-orm";

const { values } = parseArgs({
  options: {
    projects: { type: "string", default: "1000" },
    memories: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "2" },
    processes: { type: "string", default: "1,2" },
  },
});
const projects = positive("projects", values.projects);
const memories = positive("memories", values.memories);
const concurrency = positive("concurrency", values.concurrency);
const processCounts = values.processes.split(",").map((p) => positive("processes", p));
const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const prefix = `memcons_fleet_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const admin = await createDatabase(adminUrl, { maxConnections: 1 });
const created: string[] = [];

try {
  const source = `${prefix}_source`;
  const generated = performance.now();
  await createEmptyDatabase(source);
  const db = await createDatabase(urlOf(source), { maxConnections: 4 });
  try {
    await migrate(db);
    await fill(db);
    await db.rows(sql`vacuum analyze`);
  } finally {
    await db.close();
  }
  const generateMs = performance.now() - generated;
  const rates = new Map<number, number>();
  for (const count of processCounts) {
    const name = `${prefix}_${count}`;
    await admin.rows(sql.raw(`create database "${name}" template "${source}"`));
    created.push(name);
    const result = await drain(urlOf(name), count);
    rates.set(count, result.memories_per_sec);
    emit({ bench: "fleet", projects, memories_per_project: memories, generate_ms: round(generateMs), ...result });
    await admin.rows(sql.raw(`drop database if exists "${name}" with (force)`));
  }
  const one = rates.get(1);
  const two = rates.get(2);
  if (one && two) emit({ bench: "fleet_speedup", processes: "1→2", speedup: round(two / one) });
} finally {
  for (const name of [...created, `${prefix}_source`]) {
    await admin.rows(sql.raw(`drop database if exists "${name}" with (force)`)).catch(() => undefined);
  }
  await admin.close();
}

/** One project with M generated memories, copied to the other N-1 projects in one statement. */
async function fill(db: Database): Promise<void> {
  const first = await createProject(db, { name: "fleet 1" });
  await insertMemories(db, first, generateMemories({ count: memories, seed: 7, now: new Date() }));
  await db.rows(sql`insert into projects (name) select 'fleet ' || g from generate_series(2, ${projects}::int) g`);
  const { id: _id, projectId: _project, ...copied } = getTableColumns(taskMemories);
  const columns = sql.raw(
    Object.values(copied)
      .map((c) => `"${c.name}"`)
      .join(", "),
  );
  const fromTemplate = sql.raw(
    Object.values(copied)
      .map((c) => `t."${c.name}"`)
      .join(", "),
  );
  await db.rows(sql`insert into task_memories (project_id, ${columns})
    select p.id, ${fromTemplate} from projects p cross join task_memories t
     where t.project_id = ${first} and p.id <> ${first}`);
}

/** Sweeps, starts `count` worker processes and waits for every job to finish. */
async function drain(url: string, count: number): Promise<Record<string, unknown> & { memories_per_sec: number }> {
  const db = await createDatabase(url, { maxConnections: 2 });
  const workers: ChildProcess[] = [];
  try {
    const swept = performance.now();
    const sweep = await runScheduledConsolidation(db, { concurrency: 8 });
    const sweepMs = performance.now() - swept;
    const started = performance.now();
    for (let i = 0; i < count; i++) workers.push(startWorker(url, i));
    let finished = 0;
    for (;;) {
      const [row] = await db.rows<{ open: number; done: number }>(sql`
        select count(*) filter (where status in ('pending', 'running'))::int as open,
               count(*) filter (where status in ('completed', 'failed', 'cancelled'))::int as done
          from consolidation_jobs`);
      finished = row!.done;
      if (row!.open === 0) break;
      if (workers.some((w) => w.exitCode !== null)) throw new Error("a worker process exited early");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const wallMs = performance.now() - started;
    const [outcome] = await db.rows<{ completed: number; failed: number; merged: number; examined: number }>(sql`
      select count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where status <> 'completed')::int as failed,
             coalesce(sum(memories_merged), 0)::int as merged,
             (select count(*)::int from task_memories where is_consolidated) as examined
        from consolidation_jobs`);
    return {
      processes: count,
      concurrency_per_process: concurrency,
      jobs_queued: sweep.projects_queued,
      sweep_ms: round(sweepMs),
      jobs_finished: finished,
      jobs_completed: outcome!.completed,
      jobs_not_completed: outcome!.failed,
      memories_merged: outcome!.merged,
      wall_ms: round(wallMs),
      memories_per_sec: round(((projects * memories) / wallMs) * 1000),
      load_avg_1m: round(loadavg()[0] ?? 0),
    };
  } finally {
    await Promise.all(workers.map(stopWorker));
    await db.close();
  }
}

function startWorker(url: string, index: number): ChildProcess {
  return spawn(process.execPath, [cli, "worker"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: url,
      WORKER_ID: `fleet-${index}`,
      WORKER_CONCURRENCY: String(concurrency),
      WORKER_POLL_MS: "500",
      CONSOLIDATION_CATCH_UP_MS: "0",
      MIGRATE_ON_START: "false",
      PORT: "0",
      LOG_LEVEL: "warn",
    },
  });
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null) return;
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  worker.kill("SIGTERM");
  await exited;
}

async function createEmptyDatabase(name: string): Promise<void> {
  await admin.rows(sql.raw(`create database "${name}"`));
  created.push(name);
}

function urlOf(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
