import type { EventEmitter } from "node:events";
import { ASYNC_COMMIT, type ConsolidationJob, type Database, type JobStatus, type Logger, noopLogger } from "@memcons/models";
import { type SQL, sql } from "drizzle-orm";

/** NOTIFY channel carrying job lifecycle events as JSON. */
export const JOB_EVENTS_CHANNEL = "memcons_job_events";
/** NOTIFY channel that wakes runners: `new:<job id>` when a job is queued, `cancel:<job id>` on a cancel request. */
export const JOB_WAKEUP_CHANNEL = "memcons_jobs";

/** Kinds of job lifecycle event. */
export type JobEventType = "created" | "started" | "progress" | "completed" | "failed" | "cancelled" | "retrying";

/** A job lifecycle event, as published on JOB_EVENTS_CHANNEL and on runner emitters. */
export interface JobEvent {
  type: JobEventType;
  job_id: string;
  project_id: string;
  status: JobStatus;
  progress: number;
  /** ISO timestamp of the event. */
  at: string;
  error_message?: string | null;
  phase?: string;
}

/** Longest error message (in characters, up to 4 bytes each) carried in an event: NOTIFY payloads must stay below 8000 bytes. */
export const MAX_EVENT_ERROR_CHARS = 1000;

/** Builds the event describing `job` as it is now. */
export function jobEvent(type: JobEventType, job: ConsolidationJob, extra: { phase?: string } = {}): JobEvent {
  return {
    type,
    job_id: job.id,
    project_id: job.projectId,
    status: job.status,
    progress: job.progress,
    at: new Date().toISOString(),
    error_message: job.errorMessage,
    ...extra,
  };
}

/** Publishes a job event: NOTIFY on JOB_EVENTS_CHANNEL and, when given, `emitter.emit("event", e)`. */
export async function publishJobEvent(
  db: Database,
  event: JobEvent,
  options: { emitter?: EventEmitter; logger?: Logger } = {},
): Promise<void> {
  const bounded = boundEvent(event);
  options.emitter?.emit("event", bounded);
  try {
    await db.notify(JOB_EVENTS_CHANNEL, JSON.stringify(bounded));
  } catch (error) {
    (options.logger ?? noopLogger).warn({ err: error, event: bounded.type, job_id: bounded.job_id }, "job event NOTIFY failed");
  }
}

/** Subscribes to job events from every process (LISTEN); resolves to an unsubscribe function. */
export async function subscribeJobEvents(
  db: Database,
  handler: (event: JobEvent) => void,
): Promise<() => Promise<void>> {
  return db.listen(JOB_EVENTS_CHANNEL, (payload) => {
    for (const event of parseJobEvents(payload)) handler(event);
  });
}

/** Parses a NOTIFY payload into a JobEvent; null when it is not one. */
export function parseJobEvent(payload: string): JobEvent | null {
  try {
    const value: unknown = JSON.parse(payload);
    return isJobEvent(value) ? value : null;
  } catch {
    return null; // not JSON
  }
}

/** Parses a NOTIFY payload holding one JobEvent or a JSON array of them (in order); [] when it holds none. */
export function parseJobEvents(payload: string): JobEvent[] {
  try {
    const value: unknown = JSON.parse(payload);
    if (Array.isArray(value)) return value.filter(isJobEvent);
    return isJobEvent(value) ? [value] : [];
  } catch {
    return []; // not JSON
  }
}

function isJobEvent(value: unknown): value is JobEvent {
  return typeof value === "object" && value !== null && "type" in value && "job_id" in value;
}

/** Longest NOTIFY payload, in bytes, that several events are packed into (PostgreSQL refuses 8000 and more). */
const MAX_PACKED_BYTES = 7900;

/**
 * Packs event JSON texts into as few NOTIFY payloads as fit, in order: a payload is one event, or a JSON array of
 * several. One statement that changes many jobs (a claim, a batch of completions) then sends few notifications.
 */
export function packJobEvents(events: readonly string[]): string[] {
  const payloads: string[] = [];
  let group: string[] = [];
  let bytes = 2;
  const close = () => {
    if (group.length > 0) payloads.push(group.length === 1 ? (group[0] as string) : `[${group.join(",")}]`);
    group = [];
    bytes = 2;
  };
  for (const event of events) {
    const size = Buffer.byteLength(event) + 1;
    if (bytes + size > MAX_PACKED_BYTES) close();
    group.push(event);
    bytes += size;
  }
  close();
  return payloads;
}

/**
 * Wraps an `update|insert … returning *` statement on consolidation_jobs so that every changed row
 * comes back with an extra `event` column: the JSON text of its JobEvent, built by the database.
 * `type` is an SQL expression over the changed row `j` (e.g. a constant or a CASE on j.status).
 * runJobStatement NOTIFYs those events right after the change commits.
 */
export function withJobEvents(statement: SQL, type: SQL): SQL {
  return sql`with j as (${statement}) select j.*, ${jobEventJson(type)} as event from j`;
}

/** The JSON text of the JobEvent of a changed job row aliased `j`; `type` is an SQL expression over `j`. */
export function jobEventJson(type: SQL): SQL {
  return sql`json_build_object(
      'type', (${type})::text, 'job_id', j.id, 'project_id', j.project_id, 'status', j.status,
      'progress', j.progress,
      'at', to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'error_message', left(j.error_message, ${MAX_EVENT_ERROR_CHARS}::int))::text`;
}

/**
 * Sends several NOTIFYs, in order, in one statement, kept out of the queue's writing transactions:
 * PostgreSQL serializes the commits of notifying transactions, so those then commit in parallel.
 * The statement's transaction commits without waiting for its WAL flush (it writes no data, so a
 * crash can lose nothing), which keeps that serialized commit short.
 */
export async function notifyAll(db: Database, notes: ReadonlyArray<{ channel: string; payload: string }>): Promise<void> {
  if (notes.length === 0) return;
  if (notes.length === 1) return db.notify(notes[0]!.channel, notes[0]!.payload);
  await db.rows(
    sql`select pg_notify(n->>'channel', n->>'payload')::text as sent, ${ASYNC_COMMIT} as commit
          from json_array_elements(${JSON.stringify(notes)}::json) n`,
    { prepare: true },
  );
}

function boundEvent(event: JobEvent): JobEvent {
  const message = event.error_message;
  if (typeof message !== "string" || message.length <= MAX_EVENT_ERROR_CHARS) return event; // UTF-16 units ≥ code points
  return { ...event, error_message: Array.from(message).slice(0, MAX_EVENT_ERROR_CHARS).join("") };
}
