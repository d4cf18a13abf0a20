import {
  ACTIVE_JOB_STATUSES,
  type ConsolidationJob,
  type Database,
  type Executor,
  type JobScope,
  JOB_KIND_RULE,
  ProjectNotFoundError,
  sqlState,
  type TriggerType,
  ValidationError,
  isJobKind,
  consolidationJobs,
} from "@memcons/models";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { JobStateChangingError } from "./errors.js";
import { withJobEvents } from "./events.js";
import { runJobStatement } from "./queue/statement.js";

/** A validated job to queue. */
export interface EnqueueRequest {
  projectId: string;
  /** Which registered handler runs the job (see isJobKind). */
  kind: string;
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
 * Inserts a pending job unless the project already has a pending or running job of the same kind (the
 * partial unique index on (project_id, kind) decides under races, across processes), in which case that
 * job is returned. Wakes runners and publishes `created` for a new job.
 */
export async function enqueueJob(
  db: Database,
  request: EnqueueRequest,
  transaction?: Executor,
): Promise<EnqueueResult> {
  if (!isJobKind(request.kind)) {
    const message = `kind must be ${JOB_KIND_RULE}`;
    throw new ValidationError(`Invalid job: ${message}`, [{ path: "kind", message }]);
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const inserted = await insertJob(db, request, transaction);
    if (inserted) return { job: inserted, created: true };
    const [existing] = await (transaction ?? db.orm)
      .select()
      .from(consolidationJobs)
      .where(
        and(
          eq(consolidationJobs.projectId, request.projectId),
          eq(consolidationJobs.kind, request.kind),
          inArray(consolidationJobs.status, [...ACTIVE_JOB_STATUSES]),
        ),
      )
      .orderBy(desc(consolidationJobs.createdAt))
      .limit(1);
    if (existing) return { job: existing, created: false };
    // The active job finished between our insert and select: try again.
  }
  throw new JobStateChangingError(`Could not enqueue a ${request.kind} job for project ${request.projectId}: the active job kept changing`);
}

/** Inserts the job unless the project has an active one of its kind; then NOTIFYs `created` and a wake-up. */
async function insertJob(
  db: Database,
  request: EnqueueRequest,
  transaction: Executor | undefined,
): Promise<ConsolidationJob | undefined> {
  const insert = sql`insert into memcons.consolidation_jobs (project_id, kind, trigger_type, options, scope, triggered_by, max_retries)
    values (${request.projectId}, ${request.kind}, ${request.triggerType}, ${JSON.stringify(request.options)}::jsonb,
            ${JSON.stringify(request.scope)}::jsonb, ${request.triggeredBy},
            ${request.maxRetries === undefined ? sql`default` : sql`${request.maxRetries}::int`})
    on conflict (project_id, kind) where status in ('pending', 'running') do nothing
    returning *`;
  try {
    const [inserted] = await runJobStatement(db, withJobEvents(insert, sql`'created'`), { wake: true, transaction });
    return inserted?.job;
  } catch (error) {
    if (sqlState(error) === "23503") throw new ProjectNotFoundError(request.projectId);
    throw error;
  }
}
