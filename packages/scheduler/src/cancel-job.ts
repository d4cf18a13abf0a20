import {
  type ConsolidationJob,
  type Database,
  JobNotFoundError,
  JobStatus,
  canTransition,
  consolidationJobs,
  isUuid,
} from "@memcons/models";
import { eq } from "drizzle-orm";
import { JobNotCancellableError, JobStateChangingError } from "./errors.js";
import { JOB_WAKEUP_CHANNEL } from "./events.js";
import { cancelPending, requestCancel } from "./queue/cancel.js";

/**
 * Cancels a job: a pending job becomes `cancelled` at once; a running job gets `cancel_requested_at`
 * and its runner aborts it, then marks it cancelled. Cancelling a cancelled job returns it unchanged;
 * a completed or failed job throws JobNotCancellableError; an unknown id JobNotFoundError.
 */
export async function cancelJob(db: Database, jobId: string): Promise<ConsolidationJob> {
  if (!isUuid(jobId)) throw new JobNotFoundError(String(jobId));
  for (let attempt = 0; attempt < 10; attempt++) {
    const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId)).limit(1);
    if (!job) throw new JobNotFoundError(jobId);
    if (job.status === JobStatus.Cancelled) return job;
    if (!canTransition(job.status, JobStatus.Cancelled)) throw new JobNotCancellableError(jobId, job.status);
    if (job.status === JobStatus.Pending) {
      const changed = await cancelPending(db, jobId);
      if (changed) return changed.job;
    } else {
      const changed = await requestCancel(db, jobId);
      if (changed) {
        await db.notify(JOB_WAKEUP_CHANNEL, `cancel:${jobId}`).catch(() => undefined);
        return changed.job;
      }
    }
    // The job changed state in between (claimed, finished): look again.
  }
  throw new JobStateChangingError(`Could not cancel job ${jobId}: its state kept changing`);
}
