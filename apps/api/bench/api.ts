// API benchmark: `pnpm bench api [--memories 100000] [--batch 1000] [--connections 100] [--duration 10] [--pool 10] [--jobs 100]`.
// Needs DATABASE_URL (PostgreSQL). The API runs in a child process so the load generator does not
// share its event loop; both print nothing but one JSON line per result on stdout.
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createApiApp, startApiServer } from "@memcons/api";
import { consolidationChanges, consolidationJobs, createDatabase, type NewConsolidationChange } from "@memcons/models";
import { createTestDatabase, type TestDatabase } from "@memcons/models/testing";
import autocannon from "autocannon";

const TOKEN = randomBytes(16).toString("hex");

const NUMERIC_FLAGS = ["memories", "batch", "connections", "duration", "pool", "jobs"] as const;
const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--serve" && !a.startsWith("postgres")),
  options: Object.fromEntries(NUMERIC_FLAGS.map((name) => [name, { type: "string" }])),
});

/** A numeric flag given as `--name N` or `--name=N`. */
function flag(name: (typeof NUMERIC_FLAGS)[number], fallback: number): number {
  const given = flags[name];
  const value = typeof given === "string" ? Number(given) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 100) / 100;
}

/** Child mode: serve the API on the given database until told to stop. */
async function serve(url: string): Promise<void> {
  const db = await createDatabase(url, { maxConnections: flag("pool", 10) });
  const app = createApiApp({ db, adminTokens: [TOKEN_FROM_ENV()] });
  const server = await startApiServer({ app, port: 0, hostname: "127.0.0.1" });
  process.send?.({ url: server.url });
  process.on("message", async (message) => {
    if (message === "stop") {
      await server.close();
      await db.close();
      process.exit(0);
    }
  });
}

function TOKEN_FROM_ENV(): string {
  const token = process.env.MEMCONS_BENCH_TOKEN;
  if (!token) throw new Error("MEMCONS_BENCH_TOKEN missing");
  return token;
}

const TOPICS = ["retry", "cache", "pool", "auth", "queue", "webhook", "migration", "index", "lock", "timeout"];
const VERBS = ["Fixed", "Diagnosed", "Documented", "Refactored", "Guarded"];

function memory(i: number) {
  const topic = TOPICS[i % TOPICS.length]!;
  const verb = VERBS[(i >> 3) % VERBS.length]!;
  return {
    task_id: `TSK-${i}`,
    memory_type: i % 5 === 0 ? "discovery" : "error_fix",
    execution_summary: `${verb} the ${topic} problem #${i % 997} in service ${i % 37} by adding bounded retries and a regression test.`,
    goal: `Keep the ${topic} path reliable under load`,
    result: i % 7 === 0 ? "Partially fixed; follow-up filed" : "Tests pass",
    tags: [topic, `svc-${i % 37}`],
    file_paths: [`src/${topic}/client.ts`, `test/${topic}.test.ts`],
    success: i % 7 !== 0,
    reused_count: i % 4,
  };
}

async function api(url: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${path} → ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function benchIngest(url: string, projectId: string, total: number, batch: number) {
  const durations: number[] = [];
  const started = performance.now();
  for (let offset = 0; offset < total; offset += batch) {
    const size = Math.min(batch, total - offset);
    const memories = Array.from({ length: size }, (_, k) => memory(offset + k));
    const t0 = performance.now();
    await api(url, `/api/v1/projects/${projectId}/memories`, { method: "POST", body: { memories } });
    durations.push(performance.now() - t0);
  }
  const totalMs = performance.now() - started;
  // Throughput per tenth of the run: shows whether ingest slows down as the table grows.
  const tenth = Math.max(1, Math.floor(durations.length / 10));
  const deciles: number[] = [];
  for (let k = 0; k + tenth <= durations.length; k += tenth) {
    const ms = durations.slice(k, k + tenth).reduce((a, b) => a + b, 0);
    deciles.push(Math.round((tenth * batch * 1000) / ms));
  }
  durations.sort((a, b) => a - b);
  return {
    bench: "api",
    endpoint: "POST /api/v1/projects/{id}/memories",
    memories: total,
    batch,
    total_ms: Math.round(totalMs),
    memories_per_s: Math.round((total / totalMs) * 1000),
    batch_p50_ms: percentile(durations, 50),
    batch_p95_ms: percentile(durations, 95),
    memories_per_s_by_tenth: deciles,
    target_memories_per_s: 5000,
  };
}

/** Loads one GET endpoint with autocannon (each request to a path drawn at random from `paths`) and reports its latency percentiles. */
async function benchGet(url: string, paths: readonly string[], endpoint: string, connections: number, duration: number) {
  const latencies: number[] = [];
  const instance = autocannon({
    url: `${url}${paths[0]}`,
    connections,
    duration,
    headers: { authorization: `Bearer ${TOKEN}` },
    ...(paths.length > 1
      ? { requests: [{ setupRequest: (request) => ({ ...request, path: paths[Math.floor(Math.random() * paths.length)]! }) }] }
      : {}),
  });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    bench: "api",
    endpoint,
    connections,
    jobs: paths.length,
    duration_s: duration,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    p99_ms: percentile(latencies, 99),
    max_ms: percentile(latencies, 100),
    errors: result.errors + result.timeouts,
    non_2xx: result.non2xx,
    target_p95_ms: 20,
  };
}

/** Inserts `count` completed jobs with 120 audit rows each; returns their status paths. */
async function insertFinishedJobs(db: TestDatabase, projectId: string, count: number): Promise<string[]> {
  const jobs = await db.orm
    .insert(consolidationJobs)
    .values(
      Array.from({ length: count }, () => ({
        projectId,
        status: "completed" as const,
        triggerType: "manual" as const,
        progress: 1,
        completedAt: new Date(),
        phasesCompleted: ["detect", "merge"],
      })),
    )
    .returning({ id: consolidationJobs.id });
  for (const job of jobs) {
    const changes: NewConsolidationChange[] = Array.from({ length: 120 }, (_, k) => ({
      consolidationJobId: job.id,
      operation: k % 10 === 0 ? "merge" : "archive",
      memoryId: crypto.randomUUID(),
      previousState: k % 10 === 0 ? null : { is_archived: false },
      newState: { is_archived: true },
    }));
    await db.orm.insert(consolidationChanges).values(changes);
  }
  return jobs.map((job) => `/api/v1/consolidation/status/${job.id}`);
}

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl?.startsWith("postgres")) throw new Error("pnpm bench api needs DATABASE_URL=postgres://…");
  const total = flag("memories", 100_000);
  const batch = flag("batch", 1_000);
  const connections = flag("connections", 100);
  const duration = flag("duration", 10);

  const db = await createTestDatabase({ driver: "postgres", adminUrl });
  const child = fork(fileURLToPath(import.meta.url), ["--serve", db.url, `--pool=${flag("pool", 10)}`], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, MEMCONS_BENCH_TOKEN: TOKEN },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once("message", (m) => resolve((m as { url: string }).url));
      child.once("exit", (code) => reject(new Error(`API process exited with ${code}`)));
    });
    const project = await api(url, "/api/v1/projects", { method: "POST", body: { name: "bench", consolidation_enabled: false } });
    const projectId = String(project.id);
    process.stdout.write(`${JSON.stringify(await benchIngest(url, projectId, total, batch))}\n`);

    // Finished jobs with a realistic audit trail (120 change rows each) for the status endpoint: one job
    // polled by every connection (the dashboard case), then a different job per request (no sharing).
    const statusPaths = await insertFinishedJobs(db, projectId, flag("jobs", 100));
    const statusName = "GET /api/v1/consolidation/status/{job_id}";
    await benchGet(url, statusPaths, statusName, 10, 2); // warm-up
    process.stdout.write(`${JSON.stringify(await benchGet(url, statusPaths.slice(0, 1), statusName, connections, duration))}\n`);
    process.stdout.write(`${JSON.stringify(await benchGet(url, statusPaths, statusName, connections, duration))}\n`);
    // Baseline: the same load on a route that does no database work shows this machine's HTTP floor.
    const baseline = await benchGet(url, ["/healthz"], "GET /healthz", connections, Math.min(duration, 5));
    process.stdout.write(`${JSON.stringify({ ...baseline, target_p95_ms: undefined, baseline: true })}\n`);
  } finally {
    child.send("stop");
    await new Promise((resolve) => child.once("exit", resolve));
    await db.close();
  }
}

if (process.argv[2] === "--serve") {
  await serve(process.argv[3]!);
} else {
  await main();
}
