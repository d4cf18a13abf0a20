import { consolidationJobs, projects, taskMemories } from "@memcons/models";
import { createTestDatabase, type TestDatabase } from "@memcons/models/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, nearDuplicateMemories } from "./helpers/api-client.js";
import { startFakeEmbeddings } from "./helpers/fake-openai.js";
import { freePort, killAll, type Spawned, spawnCli, waitFor, waitForHttp } from "./helpers/processes.js";

const ADMIN_URL = process.env.DATABASE_URL;
const TOKEN = "e2e-admin-token-0123456789abcdef";
const DIMENSIONS = 64;
const TERMINAL = ["completed", "failed", "cancelled"];

type Status = Record<string, unknown> & { status: string; job_id: string };
type Counts = { active: number; archived: number; duplicate: number; total: number };

/**
 * The deployed shape, as real processes on real PostgreSQL: one API and two workers, driven over HTTP.
 * The workers embed through a local OpenAI-compatible server that the test can slow down, so a job
 * can be caught mid-run and its worker killed.
 */
describe.runIf(ADMIN_URL)("end to end: one API and two workers on PostgreSQL", () => {
  let db: TestDatabase;
  let embeddings: Awaited<ReturnType<typeof startFakeEmbeddings>>;
  let api: Spawned;
  const workers = new Map<string, { proc: Spawned; healthUrl: string }>();
  let client: ReturnType<typeof apiClient>;

  function workerEnv(id: string, port: number): Record<string, string> {
    return {
      DATABASE_URL: db.url,
      HOST: "127.0.0.1",
      PORT: String(port),
      WORKER_ID: id,
      WORKER_CONCURRENCY: "2",
      WORKER_LEASE_MS: "2000",
      WORKER_HEARTBEAT_MS: "500",
      WORKER_POLL_MS: "250",
      SHUTDOWN_GRACE_MS: "1000",
      CONSOLIDATION_CATCH_UP_MS: "0", // no background sweep of a missed slot racing the jobs under test
      EMBEDDER_PROVIDER: "openai",
      OPENAI_BASE_URL: embeddings.baseUrl,
      OPENAI_API_KEY: "test-key",
      EMBEDDING_MODEL: "fake-embedder",
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      LOG_LEVEL: "info",
    };
  }

  async function startWorkerProcess(id: string): Promise<void> {
    const port = await freePort();
    const proc = spawnCli(id, ["worker"], workerEnv(id, port));
    const healthUrl = `http://127.0.0.1:${port}`;
    await waitForHttp(`${healthUrl}/readyz`, proc);
    workers.set(id, { proc, healthUrl });
  }

  async function waitForJob(jobId: string, timeoutMs = 60_000): Promise<Status> {
    return waitFor(
      `job ${jobId} to end`,
      async () => {
        const s = await client.get<Status>(`/api/v1/consolidation/status/${jobId}`);
        return TERMINAL.includes(s.body.status) ? s.body : undefined;
      },
      timeoutMs,
      200,
    );
  }

  async function counts(projectId: string): Promise<Counts> {
    const response = await client.get<{ memory_counts: Counts }>(`/api/v1/projects/${projectId}`);
    expect(response.status).toBe(200);
    return response.body.memory_counts;
  }

  async function createProject(name: string, threshold?: number): Promise<string> {
    const response = await client.post<{ id: string }>("/api/v1/projects", {
      name,
      ...(threshold ? { consolidation_threshold: threshold } : {}),
    });
    expect(response.status).toBe(201);
    return response.body.id;
  }

  /** Inserts memories without embeddings, so the worker must call the (slow) embeddings server. */
  async function seedUnembedded(projectId: string, n: number): Promise<void> {
    const rows = nearDuplicateMemories(Math.ceil(n / 8), 8, projectId.slice(0, 4)).slice(0, n);
    await db.orm.insert(taskMemories).values(
      rows.map((m) => ({
        projectId,
        memoryType: "error_fix" as const,
        executionSummary: m.execution_summary,
        goal: m.goal,
        result: m.result,
        tags: m.tags,
        filePaths: m.file_paths,
        reusedCount: 5,
        lastReusedAt: new Date(),
      })),
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase({ driver: "postgres", adminUrl: ADMIN_URL! });
    embeddings = await startFakeEmbeddings(DIMENSIONS);
    const apiPort = await freePort();
    api = spawnCli("api", ["api"], {
      DATABASE_URL: db.url,
      HOST: "127.0.0.1",
      API_PORT: String(apiPort),
      API_ADMIN_TOKENS: TOKEN,
      CONSOLIDATION_THRESHOLD: "1000",
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      LOG_LEVEL: "warn",
    });
    await waitForHttp(`http://127.0.0.1:${apiPort}/readyz`, api);
    client = apiClient(`http://127.0.0.1:${apiPort}`, TOKEN);
    await Promise.all([startWorkerProcess("worker-1"), startWorkerProcess("worker-2")]);
  }, 90_000);

  afterAll(async () => {
    await killAll();
    await embeddings?.close();
    await db?.close();
  });

  it("ingest over the threshold queues a threshold job that a worker completes", { timeout: 90_000 }, async () => {
    const project = await createProject("e2e-threshold", 20);
    const ingest = await client.post<{ ids: string[]; count: number }>(`/api/v1/projects/${project}/memories`, {
      memories: nearDuplicateMemories(3, 8, "th"),
    });
    expect(ingest.status).toBe(201);
    expect(ingest.body.count).toBe(24);
    const job = await waitFor("the threshold job", async () => {
      const history = await client.get<{ jobs: Array<{ id: string; trigger_type: string }> }>(
        `/api/v1/consolidation/history/${project}`,
      );
      return history.body.jobs.find((j) => j.trigger_type === "threshold");
    });
    const status = await waitForJob(job.id);
    expect(status.status).toBe("completed");
    expect(status.trigger_type).toBe("threshold");
    expect(Number(status.memories_merged)).toBeGreaterThan(0);
    expect((await counts(project)).duplicate).toBeGreaterThan(0);
  });

  it("manual trigger → status → history → rollback restores the memory counts", { timeout: 90_000 }, async () => {
    const project = await createProject("e2e-manual");
    const ingest = await client.post(`/api/v1/projects/${project}/memories`, {
      memories: nearDuplicateMemories(4, 6, "mn"),
    });
    expect(ingest.status).toBe(201);
    const before = await counts(project);
    expect(before).toEqual({ active: 24, archived: 0, duplicate: 0, total: 24 });

    const trigger = await client.post<{ job_id: string; status: string; estimated_completion: string }>(
      "/api/v1/consolidation/trigger",
      { project_id: project },
    );
    expect(trigger.status).toBe(202);
    expect(trigger.headers.get("location")).toBe(`/api/v1/consolidation/status/${trigger.body.job_id}`);
    const again = await client.post<{ job_id: string }>("/api/v1/consolidation/trigger", { project_id: project });
    expect([202]).toContain(again.status);

    const status = await waitForJob(trigger.body.job_id);
    expect(status).toMatchObject({ status: "completed", trigger_type: "manual", project_id: project, progress: 1 });
    expect(Number(status.memories_merged)).toBeGreaterThan(0);
    expect((status.consolidation_changes as string[]).length).toBeGreaterThan(0);
    expect((status.created_memory_ids as string[]).length).toBeGreaterThan(0);
    const after = await counts(project);
    expect(after.duplicate).toBeGreaterThan(0);
    expect(after.total).toBeGreaterThan(before.total);

    const history = await client.get<{ jobs: Array<{ id: string; changes: unknown[] }> }>(
      `/api/v1/consolidation/history/${project}?limit=5`,
    );
    expect(history.status).toBe(200);
    const listed = history.body.jobs.find((j) => j.id === trigger.body.job_id);
    expect(listed?.changes.length).toBeGreaterThan(0);

    const rollback = await client.post<{ success: boolean; memories_restored: number; memories_deleted: number }>(
      "/api/v1/consolidation/rollback",
      { consolidation_id: trigger.body.job_id, reason: "e2e" },
    );
    expect(rollback.status).toBe(200);
    expect(rollback.body.success).toBe(true);
    expect(rollback.body.memories_deleted).toBeGreaterThan(0);
    expect(await counts(project)).toEqual(before);

    const twice = await client.post("/api/v1/consolidation/rollback", { consolidation_id: trigger.body.job_id });
    expect(twice.status).toBe(409);
  });

  it("a worker SIGKILLed mid-job loses its lease and the other worker completes the job", { timeout: 90_000 }, async () => {
    const project = await createProject("e2e-crash");
    await seedUnembedded(project, 64);
    embeddings.setDelay(1500);
    try {
      const trigger = await client.post<{ job_id: string }>("/api/v1/consolidation/trigger", { project_id: project });
      expect(trigger.status).toBe(202);
      const jobId = trigger.body.job_id;
      const owner = await waitFor("a worker to claim the job", async () => {
        const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId));
        return job?.status === "running" && job.lockedBy ? job.lockedBy : undefined;
      });
      const victim = workers.get(owner)!;
      victim.proc.child.kill("SIGKILL");
      expect(await victim.proc.exited).toBe("SIGKILL");
      workers.delete(owner);
      embeddings.setDelay(0);

      const status = await waitForJob(jobId, 60_000);
      expect(status.status).toBe("completed");
      const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId));
      expect(job!.retryCount).toBeGreaterThanOrEqual(1);
      expect(job!.lockedBy).toBeNull();
      const survivor = [...workers.values()][0]!;
      const metrics = await (await fetch(`${survivor.healthUrl}/metrics`)).text();
      expect(metrics).toMatch(/memcons_lease_reclaims_total [1-9]/);
      expect(metrics).toMatch(/memcons_jobs\{status="completed",trigger_type="manual"\} [1-9]/);
      // JSON log lines carry the job and project ids.
      const logLine = survivor.proc
        .output()
        .split("\n")
        .find((line) => line.includes(`"job_id":"${jobId}"`) && line.includes('"msg":"job completed"'));
      expect(JSON.parse(logLine!)).toMatchObject({ job_id: jobId, project_id: project, level: "info" });
    } finally {
      embeddings.setDelay(0);
    }
  });

  it("SIGTERM stops a worker with exit code 0 and leaves no job running", { timeout: 90_000 }, async () => {
    const [id, worker] = [...workers.entries()][0]!;
    const project = await createProject("e2e-sigterm");
    await seedUnembedded(project, 64);
    embeddings.setDelay(3000);
    try {
      const trigger = await client.post<{ job_id: string }>("/api/v1/consolidation/trigger", { project_id: project });
      await waitFor("the worker to start the job", async () => {
        const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, trigger.body.job_id));
        return job?.status === "running" && job.lockedBy === id ? true : undefined;
      });
      worker.proc.child.kill("SIGTERM");
      expect(await worker.proc.exited, worker.proc.output()).toBe(0);
      workers.delete(id);
      const running = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from memcons.consolidation_jobs where status = 'running'`,
      );
      expect(Number(running[0]!.n)).toBe(0);
      const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, trigger.body.job_id));
      expect(["pending", "completed"]).toContain(job!.status);
      expect(job!.lockedBy).toBeNull();
    } finally {
      embeddings.setDelay(0);
    }

    api.child.kill("SIGTERM");
    expect(await api.exited, api.output()).toBe(0);
    const [project0] = await db.orm.select().from(projects).limit(1);
    expect(project0).toBeDefined();
  });
});
