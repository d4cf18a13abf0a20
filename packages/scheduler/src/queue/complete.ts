import type { Database } from "@memcons/models";
import { sql } from "drizzle-orm";
import { withJobEvents } from "../events.js";
import { type ChangedJob, runJobStatement } from "./statement.js";

/** Marks a job this worker holds as completed (progress 1, duration); null when the lease was lost. */
export async function completeJob(db: Database, jobId: string, workerId: string): Promise<ChangedJob | null> {
  const update = sql`update consolidation_jobs
      set status = 'completed', completed_at = now(), progress = 1, error_message = null,
          duration_seconds = greatest(0, extract(epoch from now() - coalesce(started_at, now()))),
          locked_by = null, locked_until = null
    where id = ${jobId} and locked_by = ${workerId} and status = 'running'
    returning *`;
  const [changed] = await runJobStatement(db, withJobEvents(update, sql`'completed'`));
  return changed ?? null;
}
