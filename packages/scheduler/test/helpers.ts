import { type ConsolidationJob, type Database, consolidationJobs, projects } from "@memcons/models";
import { eq, sql } from "drizzle-orm";

/** Inserts a project and returns its id. */
export async function createProject(
  db: Database,
  values: { name?: string; enabled?: boolean; threshold?: number | null; active?: boolean } = {},
): Promise<string> {
  const [row] = await db.orm
    .insert(projects)
    .values({
      name: values.name ?? "project",
      consolidationEnabled: values.enabled ?? true,
      consolidationThreshold: values.threshold ?? null,
      isActive: values.active ?? true,
    })
    .returning({ id: projects.id });
  return row!.id;
}

/** Inserts `count` plain memories for a project (flags as given). */
export async function insertMemories(
  db: Database,
  projectId: string,
  count: number,
  flags: { archived?: boolean; duplicate?: boolean; consolidated?: boolean } = {},
): Promise<void> {
  await db.rows(sql`
    insert into memcons.task_memories (project_id, memory_type, execution_summary, is_archived, is_duplicate, is_consolidated)
    select ${projectId}, 'learning', 'memory ' || g, ${flags.archived ?? false}, ${flags.duplicate ?? false},
           ${flags.consolidated ?? false}
      from generate_series(1, ${count}::int) g`);
}

/** Inserts `count` projects, each with one pending manual job; returns the job ids. */
export async function insertPendingJobs(db: Database, count: number): Promise<string[]> {
  const rows = await db.rows<{ id: string }>(sql`
    with p as (
      insert into memcons.projects (name) select 'bulk ' || g from generate_series(1, ${count}::int) g returning id)
    insert into memcons.consolidation_jobs (project_id, trigger_type) select id, 'manual' from p returning id`);
  return rows.map((row) => row.id);
}

/** Reads a job. */
export async function getJob(db: Database, jobId: string): Promise<ConsolidationJob> {
  const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId));
  if (!job) throw new Error(`job ${jobId} not found`);
  return job;
}

/** Polls `predicate` until it holds (or throws after `timeoutMs`). */
export async function waitFor<T>(
  predicate: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves when `signal` aborts (with its reason) — a handler that only ends when told to. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
