import {
  type ConsolidationJob,
  DEFAULT_JOB_RETRY_POLICY,
  type Database,
  type RetryPolicy,
  backoffDelay,
} from "@memcons/models";
import { sql } from "drizzle-orm";
import { withJobEvents } from "../events.js";
import { type ChangedJob, runJobStatement } from "./statement.js";

/** How a failed attempt is recorded. */
export interface FailOptions {
  workerId: string;
  /** Error text stored in error_message. */
  message: string;
  /** Fail at once, without retrying (bad options, missing project, …). */
  permanent: boolean;
  policy?: RetryPolicy;
  /** Random source for the backoff jitter. */
  random?: () => number;
}

/** Longest error text stored on a job. */
export const MAX_ERROR_MESSAGE_CHARS = 4000;

/**
 * Records a failed attempt of a job this worker holds: with retries left (and not permanent) it goes
 * back to pending with retry_count+1 and run_at = now + backoffDelay(retry_count + 1); otherwise it fails.
 * Publishes `retrying` or `failed`. Null when the lease was lost.
 */
export async function failJob(db: Database, job: ConsolidationJob, options: FailOptions): Promise<ChangedJob | null> {
  const message = Array.from(options.message.slice(0, 2 * MAX_ERROR_MESSAGE_CHARS)).slice(0, MAX_ERROR_MESSAGE_CHARS).join("");
  const exhausted = options.permanent || job.retryCount >= job.maxRetries;
  const update = exhausted
    ? sql`update memcons.consolidation_jobs
          set status = 'failed', completed_at = now(), error_message = ${message},
              duration_seconds = greatest(0, extract(epoch from now() - coalesce(started_at, now()))),
              locked_by = null, locked_until = null
        where id = ${job.id} and locked_by = ${options.workerId} and status = 'running'
        returning *`
    : sql`update memcons.consolidation_jobs
          set status = 'pending', retry_count = retry_count + 1, error_message = ${message},
              run_at = now() + ${retryDelayMs(job, options)}::int * interval '1 millisecond',
              locked_by = null, locked_until = null
        where id = ${job.id} and locked_by = ${options.workerId} and status = 'running'
        returning *`;
  const [changed] = await runJobStatement(db, withJobEvents(update, sql`${exhausted ? "failed" : "retrying"}::text`));
  return changed ?? null;
}

/** Delay before the next attempt of `job` after its current attempt failed. */
export function retryDelayMs(
  job: Pick<ConsolidationJob, "retryCount">,
  options: Pick<FailOptions, "policy" | "random">,
): number {
  return backoffDelay(job.retryCount + 1, options.policy ?? DEFAULT_JOB_RETRY_POLICY, options.random);
}
