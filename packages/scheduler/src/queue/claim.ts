import { type Database, ValidationError } from "@memcons/models";
import { type SQL, sql } from "drizzle-orm";
import { withJobEvents } from "../events.js";
import { type ChangedJob, leaseMsToMs, runJobStatement } from "./statement.js";

/** Options of claimJobs. */
export interface ClaimOptions {
  workerId: string;
  /** Most jobs to claim. */
  limit: number;
  /** Lease length; the holder must heartbeat before it ends. */
  leaseMs: number;
}

/**
 * Claims up to `limit` due pending jobs (oldest run_at first) for `workerId` with FOR NO KEY UPDATE SKIP LOCKED (an audit insert holding a key-share lock on the row does not hide it):
 * pending → running with a lease; publishes `started` for each.
 */
export async function claimJobs(db: Database, options: ClaimOptions): Promise<ChangedJob[]> {
  if (options.limit < 1) return [];
  return runJobStatement(db, claimStatement(options));
}

/**
 * The claim statement. Its order (run_at, created_at, seq) is exactly that of the partial index
 * consolidation_jobs_claim_idx, and seq (insertion order) makes it unique: the scan reads the first `limit` due rows
 * (plus any skipped locked ones) instead of sorting every pending job, however deep the queue, and jobs queued
 * together are taken in the order their rows were written, from neighbouring heap pages.
 */
export function claimStatement(options: ClaimOptions): SQL {
  return withJobEvents(claimUpdate(options), sql`'started'`);
}

/**
 * The claim's `update … returning *`, without events (see claimStatement). The limit is part of the text, not a
 * parameter: with a parameter PostgreSQL cannot cost a generic plan and plans every claim anew.
 */
export function claimUpdate(options: ClaimOptions): SQL {
  if (!Number.isSafeInteger(Math.floor(options.limit))) {
    throw new ValidationError(`Invalid claim: limit must be a number, got ${options.limit}`, [{ path: "limit", message: "must be a finite number" }]);
  }
  return sql`update memcons.consolidation_jobs c
      set status = 'running', locked_by = ${options.workerId},
          locked_until = now() + ${leaseMsToMs(options.leaseMs)}::int * interval '1 millisecond',
          started_at = coalesce(c.started_at, now())
    where c.id in (
      select id from memcons.consolidation_jobs
       where status = 'pending' and run_at <= now()
       order by run_at, created_at, seq
       limit ${sql.raw(String(Math.floor(options.limit)))}
       for no key update skip locked)
    returning c.*`;
}
