import { type ConsolidationJob, type Database, type Executor, queryRows } from "@memcons/models";
import { type SQL, sql } from "drizzle-orm";
import { JOB_EVENTS_CHANNEL, JOB_WAKEUP_CHANNEL, type JobEvent, notifyAll, packJobEvents, parseJobEvent } from "../events.js";
import { type RawJobRow, rowToJob } from "../rows.js";

/** A job row changed by a queue statement, with the event that statement published for it. */
export interface ChangedJob {
  job: ConsolidationJob;
  event: JobEvent | null;
}

/**
 * Runs a statement built with withJobEvents, then NOTIFYs the events of the changed jobs (and, with
 * `wake`, a `new:<id>` wake-up per job) once it committed. Returns the changed jobs with their events.
 * NOTIFY is best effort: a failure there does not undo the committed change (runners also poll).
 * With `transaction`, both run inside the caller's transaction: NOTIFY is delivered when it commits.
 */
export async function runJobStatement(
  db: Database,
  statement: SQL,
  options: { wake?: boolean; transaction?: Executor } = {},
): Promise<ChangedJob[]> {
  const rows = options.transaction
    ? await queryRows<RawJobRow>(options.transaction, statement)
    : await db.rows<RawJobRow>(statement, { prepare: true });
  const notes: Array<{ channel: string; payload: string }> = [];
  const events = rows.flatMap((row) => (typeof row.event === "string" ? [row.event] : []));
  for (const payload of packJobEvents(events)) notes.push({ channel: JOB_EVENTS_CHANNEL, payload });
  if (options.wake) for (const row of rows) notes.push({ channel: JOB_WAKEUP_CHANNEL, payload: `new:${String(row.id)}` });
  if (options.transaction) {
    // Inside the caller's transaction a failure must surface: it aborts their transaction anyway.
    if (notes.length > 0) {
      await queryRows(options.transaction, sql`select pg_notify(n->>'channel', n->>'payload')::text as sent
        from json_array_elements(${JSON.stringify(notes)}::json) n`);
    }
  } else {
    await notifyAll(db, notes).catch(() => undefined);
  }
  return rows.map((row) => ({
    job: rowToJob(row),
    event: typeof row.event === "string" ? parseJobEvent(row.event) : null,
  }));
}

/** Rounds a lease length to whole positive milliseconds. */
export function leaseMsToMs(leaseMs: number): number {
  return Math.max(1, Math.round(leaseMs));
}
