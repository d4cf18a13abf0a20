import { createDatabase, type Database } from "@memcons/models";
import { createTestDatabase, type FaultProxy, startFaultProxy, type TestDatabase } from "@memcons/models/testing";
import { triggerConsolidation } from "@memcons/scheduler";
import { sql } from "drizzle-orm";
import { apiClient, nearDuplicateMemories } from "../test/helpers/api-client.js";
import { startFakeEmbeddings } from "../test/helpers/fake-openai.js";
import { freePort, type Spawned, spawnCli, waitFor } from "../test/helpers/processes.js";

/** Admin token of the API processes a stage starts. */
export const CHAOS_TOKEN = "chaos-admin-token-0123456789abcdef";
const DIMENSIONS = 64;

/** Timings of the processes under test: short, so each scenario takes seconds. */
export const CHAOS_TIMINGS = {
  leaseMs: 6_000,
  heartbeatMs: 1_000,
  pollMs: 250,
  outageLimitMs: 60_000,
  embedDelayMs: 700,
};

/** A process started by a stage, with how to reach it. */
export interface StageProcess {
  proc: Spawned;
  url: string;
  /** True when the stage stopped it on purpose (SIGKILL); such an exit is not counted. */
  killed: boolean;
}

/**
 * One scenario's world: its own PostgreSQL database, a fault proxy in front of it that every
 * process connects through, a slowed-down embeddings server, and the worker/API processes.
 */
export class Stage {
  db!: TestDatabase;
  proxy!: FaultProxy;
  embeddings!: Awaited<ReturnType<typeof startFakeEmbeddings>>;
  readonly processes = new Map<string, StageProcess>();

  /** Creates the database, the proxy and the embeddings server. */
  static async open(adminUrl: string): Promise<Stage> {
    const stage = new Stage();
    stage.db = await createTestDatabase({ driver: "postgres", adminUrl });
    stage.proxy = await startFaultProxy(stage.db.url);
    stage.embeddings = await startFakeEmbeddings(DIMENSIONS);
    return stage;
  }

  /** Environment shared by worker and API processes. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.proxy.urlFor(this.db.url),
      HOST: "127.0.0.1",
      WORKER_CONCURRENCY: "1",
      WORKER_LEASE_MS: String(CHAOS_TIMINGS.leaseMs),
      WORKER_HEARTBEAT_MS: String(CHAOS_TIMINGS.heartbeatMs),
      WORKER_POLL_MS: String(CHAOS_TIMINGS.pollMs),
      WORKER_OUTAGE_LIMIT_MS: String(CHAOS_TIMINGS.outageLimitMs),
      SHUTDOWN_GRACE_MS: "1000",
      CONSOLIDATION_CATCH_UP_MS: "0",
      AUDIT_RETENTION_DAYS: "0",
      EMBEDDER_PROVIDER: "openai",
      OPENAI_BASE_URL: this.embeddings.baseUrl,
      OPENAI_API_KEY: "test-key",
      EMBEDDING_MODEL: "fake-embedder",
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      API_ADMIN_TOKENS: CHAOS_TOKEN,
      LOG_LEVEL: "info",
      ...extra,
    };
  }

  /** Starts a worker process (health server on a free port). */
  async startWorker(id: string, extra: Record<string, string> = {}): Promise<StageProcess> {
    const port = await freePort();
    const proc = spawnCli(id, ["worker"], this.env({ WORKER_ID: id, PORT: String(port), ...extra }));
    const entry = { proc, url: `http://127.0.0.1:${port}`, killed: false };
    this.processes.set(id, entry);
    return entry;
  }

  /** Starts an API process on a free port. */
  async startApi(id = "api"): Promise<StageProcess> {
    const port = await freePort();
    const proc = spawnCli(id, ["api"], this.env({ API_PORT: String(port) }));
    const entry = { proc, url: `http://127.0.0.1:${port}`, killed: false };
    this.processes.set(id, entry);
    return entry;
  }

  /** Waits until a process's /readyz answers 200. */
  async ready(entry: StageProcess, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${entry.proc.name} to be ready`,
      async () => {
        if (entry.proc.child.exitCode !== null) throw new Error(`${entry.proc.name} exited:\n${entry.proc.output()}`);
        const response = await fetch(`${entry.url}/readyz`).catch(() => null);
        return response?.status === 200 ? true : undefined;
      },
      timeoutMs,
      100,
    );
  }

  /** SIGKILLs a process on purpose (not counted as an unexpected exit). */
  kill(id: string): void {
    const entry = this.processes.get(id);
    if (!entry) return;
    entry.killed = true;
    entry.proc.child.kill("SIGKILL");
  }

  /** Processes that exited without the stage killing them. */
  unexpectedExits(): string[] {
    return [...this.processes.values()]
      .filter((e) => !e.killed && (e.proc.child.exitCode !== null || e.proc.child.signalCode !== null))
      .map((e) => `${e.proc.name} (exit ${e.proc.child.exitCode ?? e.proc.child.signalCode})\n${e.proc.output().slice(-3000)}`);
  }

  /** A project with `themes` × `copies` near-duplicate memories inserted directly, without embeddings
   *  (so detection calls the slow embedder). Returns the project id. */
  async seedDirect(themes: number, copies: number): Promise<string> {
    const [project] = await this.db.rows<{ id: string }>(sql`insert into memcons.projects (name) values ('chaos') returning id`);
    const projectId = String(project?.id);
    for (const m of nearDuplicateMemories(themes, copies, "d")) {
      await this.db.rows(sql`insert into memcons.task_memories (project_id, task_id, memory_type, execution_summary, goal, result,
          tags, file_paths, reused_count, learned_at)
        values (${projectId}, ${m.task_id}, ${m.memory_type}, ${m.execution_summary}, ${m.goal}, ${m.result},
          ${`{${m.tags.join(",")}}`}::text[], ${`{${m.file_paths.join(",")}}`}::text[], ${m.reused_count}, now())`);
    }
    return projectId;
  }

  /** A project with near-duplicate memories ingested through an API process (embeddings stored at ingest). */
  async seedThroughApi(api: StageProcess, themes: number, copies: number): Promise<string> {
    const client = apiClient(api.url, CHAOS_TOKEN);
    const created = await client.post<{ id: string }>("/api/v1/projects", { name: "chaos" });
    if (created.status !== 201) throw new Error(`project not created: ${created.status} ${JSON.stringify(created.body)}`);
    const ingest = await client.post(`/api/v1/projects/${created.body.id}/memories`, {
      memories: nearDuplicateMemories(themes, copies, "a"),
    });
    if (ingest.status !== 201) throw new Error(`ingest failed: ${ingest.status} ${JSON.stringify(ingest.body)}`);
    return created.body.id;
  }

  /** Queues a manual job for a project (directly, not through the proxy); returns its id. */
  async trigger(projectId: string): Promise<string> {
    const { job } = await triggerConsolidation(this.db, { projectId, triggerType: "manual" });
    return job.id;
  }

  /** The job row as the database has it now. */
  async job(jobId: string): Promise<JobState> {
    const [row] = await this.db.rows<JobState>(sql`select status, retry_count, locked_by, phases_completed,
        (extract(epoch from locked_until) * 1000)::float8 as locked_until_ms,
        (extract(epoch from completed_at) * 1000)::float8 as completed_at_ms
      from memcons.consolidation_jobs where id = ${jobId}`);
    if (!row) throw new Error(`job ${jobId} not found`);
    return row;
  }

  /** Waits until the job reached a final status. */
  async finished(jobId: string, timeoutMs = 120_000): Promise<JobState> {
    return waitFor(
      `job ${jobId} to finish`,
      async () => {
        const state = await this.job(jobId);
        return ["completed", "failed", "cancelled"].includes(state.status) ? state : undefined;
      },
      timeoutMs,
      100,
    );
  }

  /** Waits until the job runs `phase` (the phases before it committed). */
  async inPhase(jobId: string, phase: "detect" | "merge", timeoutMs = 60_000): Promise<void> {
    const requestsBefore = this.embeddings.requests();
    await waitFor(
      `job ${jobId} to reach ${phase}`,
      async () => {
        const state = await this.job(jobId);
        if (state.status !== "running") return undefined;
        const phases = state.phases_completed ?? [];
        if (phase === "detect") return phases.length === 0 && this.embeddings.requests() > requestsBefore ? true : undefined;
        return phases.includes("detect") && !phases.includes("merge") ? true : undefined;
      },
      timeoutMs,
      20,
    );
  }

  /**
   * Memories whose content is gone: rows that disappeared, or duplicates whose canonical memory does
   * not exist or is not active.
   */
  async memoriesLost(projectId: string, expected: number): Promise<number> {
    const [row] = await this.db.rows<{ originals: number; orphans: number }>(sql`select
        (select count(*)::int from memcons.task_memories where project_id = ${projectId}
           and memory_type not in ('consolidated', 'synthesis')) as originals,
        (select count(*)::int from memcons.task_memories d where d.project_id = ${projectId} and d.is_duplicate
           and not exists (select 1 from memcons.task_memories c where c.id = d.duplicate_of and not c.is_duplicate)) as orphans`);
    return Math.max(0, expected - Number(row?.originals ?? 0)) + Number(row?.orphans ?? 0);
  }

  /** Every column of every memory and playbook entry of a project (but search_xid, the search cache's
   *  watermark, which every write bumps), as comparable JSON text. */
  async snapshot(projectId: string): Promise<{ memories: string[]; playbook: string[] }> {
    const memories = await this.db.rows<{ row: string }>(
      sql`select (to_jsonb(t) - 'search_xid')::text as row from memcons.task_memories t where project_id = ${projectId} order by id`,
    );
    const playbook = await this.db.rows<{ row: string }>(
      sql`select to_jsonb(p)::text as row from memcons.playbook_entries p where project_id = ${projectId} order by id`,
    );
    return { memories: memories.map((r) => r.row), playbook: playbook.map((r) => r.row) };
  }

  /** A direct connection to the stage's database (not through the proxy). */
  connect(): Promise<Database> {
    return createDatabase(this.db.url, { maxConnections: 2 });
  }

  /** Stops every process, the proxy, the embeddings server, and drops the database. */
  async close(): Promise<void> {
    for (const entry of this.processes.values()) {
      if (entry.proc.child.exitCode === null && entry.proc.child.signalCode === null) {
        entry.proc.child.kill("SIGKILL");
        await entry.proc.exited;
      }
    }
    await this.proxy.close();
    await this.embeddings.close();
    await this.db.close();
  }
}

/** What a scenario reads from a job row. */
export interface JobState extends Record<string, unknown> {
  status: string;
  retry_count: number;
  locked_by: string | null;
  phases_completed: string[] | null;
  locked_until_ms: number | null;
  completed_at_ms: number | null;
}
