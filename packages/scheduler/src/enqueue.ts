import {
  ACTIVE_JOB_STATUSES,
  type ConsolidationJob,
  type Database,
  type JobScope,
  ProjectNotFoundError,
  type TriggerType,
  consolidationJobs,
} from "@memcons/models";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { JOB_EVENTS_CHANNEL, JOB_WAKEUP_CHANNEL, jobEvent } from "./events.js";

/** A validated job to queue. */
export interface EnqueueRequest {
  projectId: string;
  triggerType: TriggerType;
  options: Record<string, unknown>;
  scope: JobScope;
  triggeredBy: string;
  maxRetries?: number;
}

/** The project's active job and whether this call created it. */
export interface EnqueueResult {
  job: ConsolidationJob;
  created: boolean;
}

const MAX_ATTEMPTS = 10;

/**
 * Inserts a pending job unless the project already has a pending or running one (the partial unique
 * index decides under races, across processes), in which case that job is returned. Wakes runners and
 * publishes `created` for a new job.
 */
export async function enqueueJob(db: Database, request: EnqueueRequest): Promise<EnqueueResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const inserted = await insertJob(db, request);
    if (inserted) {
      await announce(db, inserted);
      return { job: inserted, created: true };
    }
    const [existing] = await db.orm
      .select()
      .from(consolidationJobs)
      .where(
        and(
          eq(consolidationJobs.projectId, request.projectId),
          inArray(consolidationJobs.status, [...ACTIVE_JOB_STATUSES]),
        ),
      )
      .orderBy(desc(consolidationJobs.createdAt))
      .limit(1);
    if (existing) return { job: existing, created: false };
    // The active job finished between our insert and select: try again.
  }
  throw new Error(`Could not enqueue a job for project ${request.projectId}: the active job kept changing`);
}

async function insertJob(db: Database, request: EnqueueRequest): Promise<ConsolidationJob | undefined> {
  try {
    const [row] = await db.orm
      .insert(consolidationJobs)
      .values({
        projectId: request.projectId,
        triggerType: request.triggerType,
        options: request.options,
        scope: request.scope,
        triggeredBy: request.triggeredBy,
        ...(request.maxRetries === undefined ? {} : { maxRetries: request.maxRetries }),
      })
      .onConflictDoNothing({
        target: consolidationJobs.projectId,
        where: sql`status in ('pending', 'running')`,
      })
      .returning();
    return row;
  } catch (error) {
    if (sqlState(error) === "23503") throw new ProjectNotFoundError(request.projectId);
    throw error;
  }
}

async function announce(db: Database, job: ConsolidationJob): Promise<void> {
  // One statement: the `created` event is delivered before the wake-up that lets a runner start the job.
  const event = JSON.stringify(jobEvent("created", job));
  try {
    await db.rows(sql`select pg_notify(${JOB_EVENTS_CHANNEL}::text, ${event}::text)::text as event,
                             pg_notify(${JOB_WAKEUP_CHANNEL}::text, ${`new:${job.id}`}::text)::text as wake`);
  } catch {
    // runners still find the job by polling
  }
}

/** The SQLSTATE of a database error (also when wrapped as `cause`). */
export function sqlState(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
