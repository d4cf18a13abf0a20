import type { Database } from "@memcons/models";
import { sql } from "drizzle-orm";
import { withJobEvents } from "../events.js";
import { type ChangedJob, runJobStatement } from "./statement.js";

/**
 * Takes back running jobs whose lease expired (their worker died): each goes back to pending with
 * retry_count+1 (the lost attempt counts), or fails when its retries are exhausted, or is cancelled
 * when a cancel was requested. Publishes `retrying`, `failed` or `cancelled`.
 */
export async function reclaimExpiredJobs(
  db: Database,
  limit = 100,
  /** Jobs the caller itself is still running (waiting out an outage): never reclaimed by it. */
  exceptIds: readonly string[] = [],
): Promise<ChangedJob[]> {
  const update = sql`update memcons.consolidation_jobs c
      set status = case when c.cancel_requested_at is not null then 'cancelled'
                        when c.retry_count >= c.max_retries then 'failed'
                        else 'pending' end,
          retry_count = case when c.cancel_requested_at is null and c.retry_count < c.max_retries
                             then c.retry_count + 1 else c.retry_count end,
          completed_at = case when c.cancel_requested_at is not null or c.retry_count >= c.max_retries
                              then now() end,
          duration_seconds = case when c.cancel_requested_at is not null or c.retry_count >= c.max_retries
                                  then greatest(0, extract(epoch from now() - coalesce(c.started_at, now()))) end,
          error_message = 'Lease of worker ' || coalesce(c.locked_by, '?') || ' expired at '
                          || to_char(c.locked_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                          || ' (worker stopped heartbeating)',
          run_at = now(), locked_by = null, locked_until = null
    where c.id in (
      select id from memcons.consolidation_jobs
       where status = 'running' and locked_until < now()
         ${exceptIds.length > 0 ? sql`and id not in ${exceptIds}` : sql``}
       limit ${Math.floor(limit)}::int
       for no key update skip locked)
    returning c.*`;
  return runJobStatement(db, withJobEvents(update, sql`case j.status when 'pending' then 'retrying' else j.status end`));
}
