import { type Database, toDate, uuidArray } from "@memcons/models";
import { sql } from "drizzle-orm";
import { leaseMsToMs } from "./statement.js";

/** Lease state of one job after a heartbeat. */
export interface HeartbeatResult {
  /** Jobs whose lease was renewed, with the time a cancel was requested (null when none). */
  renewed: Map<string, Date | null>;
  /** Jobs this worker no longer holds (lease expired and reclaimed, or finished elsewhere). */
  lost: string[];
}

/** Renews the leases of the given jobs held by `workerId` and reports cancel requests and lost leases. */
export async function heartbeat(
  db: Database,
  jobIds: readonly string[],
  workerId: string,
  leaseMs: number,
): Promise<HeartbeatResult> {
  const renewed = new Map<string, Date | null>();
  if (jobIds.length === 0) return { renewed, lost: [] };
  const rows = await db.rows<{ id: string; cancel_requested_at: unknown }>(
    sql`update memcons.consolidation_jobs
           set locked_until = now() + ${leaseMsToMs(leaseMs)}::int * interval '1 millisecond'
         where id = any(${uuidArray(jobIds)}) and locked_by = ${workerId} and status = 'running'
         returning id, cancel_requested_at`,
    { prepare: true },
  );
  for (const row of rows) renewed.set(String(row.id), toDate(row.cancel_requested_at));
  return { renewed, lost: jobIds.filter((id) => !renewed.has(id)) };
}
