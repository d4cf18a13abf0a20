// Queue benchmark: no-op jobs claimed+completed per second with 1 and 4 runners (separate connections),
// and trigger-to-start latency for an idle runner (LISTEN/NOTIFY wake-up).
// Usage: pnpm bench queue [--jobs 5000] [--concurrency 16] [--samples 300]
// With `--compare graphile-worker` it runs the side-by-side comparison of queue-compare.ts instead.
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { type Database, createDatabase } from "@memcons/models";
import { type TestDatabase, createTestDatabase } from "@memcons/models/testing";
import { JOB_WAKEUP_CHANNEL, type JobRunner, createJobRunner, triggerConsolidation } from "@memcons/scheduler";
import { sql } from "drizzle-orm";
import { type CompareSettings, compareWithGraphileWorker } from "./queue-compare.js";
import { adminUrl, emit, intFlags, peakRssMb, quantile, round } from "./util.js";

const compare = compareSettings();
const flags = compare ? { jobs: 0, concurrency: 0, samples: 0 } : intFlags({ jobs: 5_000, concurrency: 16, samples: 300 });
const handles: Database[] = [];
const db = compare ? undefined : await createTestDatabase({ driver: "postgres", adminUrl: adminUrl() });
if (compare) {
  await compareWithGraphileWorker(compare);
} else if (db) {
  try {
    for (const runnerCount of [1, 4]) await throughput(db, runnerCount);
    await latency(db);
  } finally {
    await Promise.all(handles.map((h) => h.close()));
    await db.close();
  }
}

/** The side-by-side settings when `--compare graphile-worker` is given, else undefined. */
function compareSettings(): CompareSettings | undefined {
  const { values } = parseArgs({
    options: {
      compare: { type: "string" },
      depths: { type: "string", default: "1000,20000,100000" },
      runners: { type: "string", default: "4" },
      concurrency: { type: "string", default: "16" },
      measure: { type: "string", default: "10000" },
      jobs: { type: "string" },
      samples: { type: "string" },
    },
    strict: true,
  });
  if (values.compare === undefined) return undefined;
  if (values.compare !== "graphile-worker") throw new Error("--compare takes graphile-worker");
  const positive = (name: string, text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  return {
    depths: values.depths.split(",").map((d) => positive("depths", d)),
    runners: positive("runners", values.runners),
    concurrency: positive("concurrency", values.concurrency),
    measure: positive("measure", values.measure),
  };
}

async function throughput(db: TestDatabase, runnerCount: number): Promise<void> {
  await db.rows(sql`truncate consolidation_jobs, projects cascade`);
  await db.rows(sql`
    with p as (insert into projects (name) select 'bench ' || g from generate_series(1, ${flags.jobs}::int) g returning id)
    insert into consolidation_jobs (project_id, trigger_type) select id, 'manual' from p`);
  await db.rows(sql`vacuum analyze consolidation_jobs`);
  let completed = 0;
  let finished!: () => void;
  const allDone = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const runners: JobRunner[] = [];
  for (let i = 0; i < runnerCount; i++) {
    const handle = await createDatabase(db.url, { maxConnections: 4 });
    handles.push(handle);
    const runner = createJobRunner({
      db: handle,
      workerId: `bench-${i}`,
      concurrency: flags.concurrency,
      pollIntervalMs: 1_000,
      engine: async () => undefined,
    });
    runner.events.on("event", (event: { type: string }) => {
      if (event.type === "completed" && ++completed === flags.jobs) finished();
    });
    runners.push(runner);
  }
  const started = performance.now();
  await Promise.all(runners.map((r) => r.start()));
  await allDone;
  const elapsed = performance.now() - started;
  await Promise.all(runners.map((r) => r.stop()));
  const [check] = await db.rows<{ n: number }>(sql`select count(*)::int as n from consolidation_jobs where status = 'completed'`);
  emit({
    bench: "queue_throughput",
    runners: runnerCount,
    concurrency_per_runner: flags.concurrency,
    jobs: flags.jobs,
    completed: check?.n,
    duration_ms: round(elapsed),
    jobs_per_sec: round((flags.jobs / elapsed) * 1000),
    peak_rss_mb: peakRssMb(),
  });
}

async function latency(db: TestDatabase): Promise<void> {
  await db.rows(sql`truncate consolidation_jobs, projects cascade`);
  const projects = await db.rows<{ id: string }>(
    sql`insert into projects (name) select 'latency ' || g from generate_series(1, ${flags.samples}::int) g returning id`,
  );
  const handle = await createDatabase(db.url, { maxConnections: 4 });
  handles.push(handle);
  const startedAt = new Map<string, number>();
  let onStart: (() => void) | undefined;
  const runner = createJobRunner({
    db: handle,
    workerId: "latency",
    concurrency: 1,
    pollIntervalMs: 2_000,
    engine: async (job) => {
      startedAt.set(job.id, performance.now());
      onStart?.();
    },
  });
  await runner.start();
  const samples: number[] = [];
  for (const project of projects) {
    const seen = new Promise<void>((resolve) => {
      onStart = resolve;
    });
    const t0 = performance.now();
    const { job } = await triggerConsolidation(db, { projectId: project.id, triggerType: "manual" });
    await seen;
    samples.push((startedAt.get(job.id) ?? Number.NaN) - t0);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await runner.stop();
  await handle.notify(JOB_WAKEUP_CHANNEL, "done");
  emit({
    bench: "queue_latency",
    samples: samples.length,
    wakeup: "listen/notify",
    p50_ms: quantile(samples, 0.5),
    p95_ms: quantile(samples, 0.95),
    p99_ms: quantile(samples, 0.99),
    max_ms: quantile(samples, 1),
  });
}
