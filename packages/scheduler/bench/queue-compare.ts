// Side-by-side queue benchmark: memcons and graphile-worker drain no-op jobs from a queue of the same
// depth, on the same PostgreSQL server, in the same run, with the same number of worker instances and
// the same total concurrency. Each system gets its own fresh database per depth; the rate is measured
// over the first `--measure` completions (all of them when the queue is shallower), so at depth 100,000
// every claim is made against a queue at least 90,000 deep.
// Usage: pnpm bench queue --compare graphile-worker [--depths 1000,20000,100000] [--runners 4]
//        [--concurrency 16] [--measure 10000]
import { performance } from "node:perf_hooks";
import { type Database, createDatabase } from "@memcons/models";
import { createTestDatabase } from "@memcons/models/testing";
import { type JobRunner, createJobRunner } from "@memcons/scheduler";
import { sql } from "drizzle-orm";
import { Logger, type Runner, run, runMigrations } from "graphile-worker";
import pg from "pg";
import { adminUrl, emit, round } from "./util.js";

/** Settings of one side-by-side run. */
export interface CompareSettings {
  depths: number[];
  runners: number;
  concurrency: number;
  measure: number;
}

interface Rate {
  jobs: number;
  duration_ms: number;
  jobs_per_sec: number;
}

const silent = new Logger(() => () => undefined);

/** Runs memcons and graphile-worker at each depth and prints one JSON line per depth with both rates and their ratio. */
export async function compareWithGraphileWorker(settings: CompareSettings): Promise<void> {
  const memconsRates = new Map<number, number>();
  for (const depth of settings.depths) {
    const measured = Math.min(depth, settings.measure);
    const memcons = await measureMemcons(depth, measured, settings);
    const graphile = process.env.SKIP_GW ? { jobs_per_sec: 1 } : await measureGraphileWorker(depth, measured, settings);
    memconsRates.set(depth, memcons.jobs_per_sec);
    const shallowest = memconsRates.get(Math.min(...settings.depths));
    emit({
      bench: "queue_compare",
      depth,
      runners: settings.runners,
      concurrency_per_runner: settings.concurrency,
      measured_jobs: measured,
      memcons_jobs_per_sec: memcons.jobs_per_sec,
      graphile_worker_jobs_per_sec: graphile.jobs_per_sec,
      ratio: round(memcons.jobs_per_sec / graphile.jobs_per_sec),
      memcons_vs_shallowest: shallowest ? round(memcons.jobs_per_sec / shallowest) : null,
      graphile_worker_version: "0.17.3",
    });
  }
}

async function measureMemcons(depth: number, measured: number, settings: CompareSettings): Promise<Rate> {
  const db = await createTestDatabase({ driver: "postgres", adminUrl: adminUrl() });
  const handles: Database[] = [];
  const runners: JobRunner[] = [];
  try {
    await db.rows(sql`
      with p as (insert into memcons.projects (name) select 'bench ' || g from generate_series(1, ${depth}::int) g returning id)
      insert into memcons.consolidation_jobs (project_id, trigger_type) select id, 'manual' from p`);
    await db.rows(sql`vacuum analyze memcons.consolidation_jobs`);
    await db.rows(sql`checkpoint`); // both start measuring with the queue's pages written out
    const done = countdown(measured);
    for (let i = 0; i < settings.runners; i++) {
      const handle = await createDatabase(db.url, { maxConnections: 4 });
      handles.push(handle);
      const runner = createJobRunner({
        db: handle,
        workerId: `bench-${i}`,
        concurrency: settings.concurrency,
        pollIntervalMs: 1_000,
        handlers: { consolidation: async () => undefined },
      });
      runner.events.on("event", (event: { type: string }) => {
        if (event.type === "completed") done.tick();
      });
      runners.push(runner);
    }
    const started = performance.now();
    await Promise.all(runners.map((r) => r.start()));
    await done.promise;
    return rate(measured, performance.now() - started);
  } finally {
    await Promise.all(runners.map((r) => r.stop({ graceMs: 1_000 })));
    await Promise.all(handles.map((h) => h.close()));
    await db.close();
  }
}

async function measureGraphileWorker(depth: number, measured: number, settings: CompareSettings): Promise<Rate> {
  const db = await createTestDatabase({ driver: "postgres", adminUrl: adminUrl() });
  // graphile-worker ends a pool it made itself without waiting for it, and without an error listener: dropping the
  // database then could kill the process. So each instance gets a pool like the one it would make (10 connections),
  // with the error listeners on the pool and on each of its clients that graphile-worker asks for, and the benchmark
  // ends them before dropping the database.
  const pools: pg.Pool[] = [];
  const newPool = () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 10 });
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
    pools.push(pool);
    return pool;
  };
  const runners: Runner[] = [];
  try {
    await runMigrations({ pgPool: newPool(), logger: silent });
    await db.rows(sql`select graphile_worker.add_jobs(array(
      select row('noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec
        from generate_series(1, ${depth}::int)))`);
    await db.rows(sql`vacuum analyze graphile_worker._private_jobs`);
    await db.rows(sql`checkpoint`); // both start measuring with the queue's pages written out
    const done = countdown(measured);
    const started = performance.now();
    for (let i = 0; i < settings.runners; i++) {
      const runner = await run({
        pgPool: newPool(),
        concurrency: settings.concurrency,
        noHandleSignals: true,
        pollInterval: 1_000,
        logger: silent,
        taskList: { noop: async () => undefined },
      });
      runner.events.on("job:success", () => done.tick());
      runners.push(runner);
    }
    await done.promise;
    return rate(measured, performance.now() - started);
  } finally {
    await Promise.all(runners.map((r) => r.stop()));
    await Promise.all(pools.map((pool) => pool.end()));
    await db.close();
  }
}

function rate(jobs: number, elapsedMs: number): Rate {
  return { jobs, duration_ms: round(elapsedMs), jobs_per_sec: round((jobs / elapsedMs) * 1000) };
}

/** A promise that resolves after `target` ticks. */
function countdown(target: number): { promise: Promise<void>; tick: () => void } {
  let count = 0;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    promise,
    tick: () => {
      if (++count === target) resolve();
    },
  };
}
