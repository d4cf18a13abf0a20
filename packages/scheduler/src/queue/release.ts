import type { Database } from "@memcons/models";
import { sql } from "drizzle-orm";
import { type ChangedJob, runJobStatement } from "./statement.js";

/**
 * Gives jobs this worker holds back to the queue without counting an attempt (runner stopping):
 * running → pending (run_at now), or → cancelled when a cancel was requested.
 */
export async function releaseJobs(db: Database, jobIds: readonly string[], workerId: string): Promise<ChangedJob[]> {
  if (jobIds.length === 0) return [];
  return runJobStatement(
    db,
    sql`update memcons.consolidation_jobs
           set status = case when cancel_requested_at is not null then 'cancelled' else 'pending' end,
               completed_at = case when cancel_requested_at is not null then now() end,
               run_at = now(), locked_by = null, locked_until = null
         where id in ${jobIds} and locked_by = ${workerId} and status = 'running'
         returning *`,
  );
}
