import type { Database } from "@memcons/models";
import { sql } from "drizzle-orm";
import { withJobEvents } from "../events.js";
import { type ChangedJob, runJobStatement } from "./statement.js";

/** Marks a running job this worker holds as cancelled (after its handler stopped); null when the lease was lost. */
export async function markCancelled(db: Database, jobId: string, workerId: string): Promise<ChangedJob | null> {
  const update = sql`update memcons.consolidation_jobs
      set status = 'cancelled', completed_at = now(),
          duration_seconds = greatest(0, extract(epoch from now() - coalesce(started_at, now()))),
          locked_by = null, locked_until = null
    where id = ${jobId} and locked_by = ${workerId} and status = 'running'
    returning *`;
  const [changed] = await runJobStatement(db, withJobEvents(update, sql`'cancelled'`));
  return changed ?? null;
}

/** Cancels a pending job at once; null when it is no longer pending. */
export async function cancelPending(db: Database, jobId: string): Promise<ChangedJob | null> {
  const update = sql`update memcons.consolidation_jobs
      set status = 'cancelled', completed_at = now(), cancel_requested_at = coalesce(cancel_requested_at, now())
    where id = ${jobId} and status = 'pending'
    returning *`;
  const [changed] = await runJobStatement(db, withJobEvents(update, sql`'cancelled'`));
  return changed ?? null;
}

/** Flags a running job for cancellation (its runner sees the flag and aborts); null when it is no longer running. */
export async function requestCancel(db: Database, jobId: string): Promise<ChangedJob | null> {
  const [changed] = await runJobStatement(
    db,
    sql`update memcons.consolidation_jobs set cancel_requested_at = coalesce(cancel_requested_at, now())
         where id = ${jobId} and status = 'running' returning *`,
  );
  return changed ?? null;
}
