import type { ConsolidationJob, Database } from "@memcons/models";
import type { SQL } from "drizzle-orm";
import { type JobEvent, parseJobEvent } from "../events.js";
import { type RawJobRow, rowToJob } from "../rows.js";

/** A job row changed by a queue statement, with the event that statement published for it. */
export interface ChangedJob {
  job: ConsolidationJob;
  event: JobEvent | null;
}

/** Runs a statement built with withJobEvents and returns the changed jobs with their events. */
export async function runJobStatement(db: Database, statement: SQL): Promise<ChangedJob[]> {
  const rows = await db.rows<RawJobRow>(statement);
  return rows.map((row) => ({
    job: rowToJob(row),
    event: typeof row.event === "string" ? parseJobEvent(row.event) : null,
  }));
}

/** Rounds a lease length to whole positive milliseconds. */
export function leaseMsToMs(leaseMs: number): number {
  return Math.max(1, Math.round(leaseMs));
}
