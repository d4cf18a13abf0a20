import type { ConsolidationJob, Database, Logger } from "@memcons/models";

/** A step of a running job, published as a `progress` event. */
export interface JobProgress {
  /** Name of the step the job is in, e.g. a consolidation phase. */
  phase?: string;
  /** Overall progress of the job, 0..1. */
  progress: number;
}

/** What a handler gets besides the job. */
export interface JobHandlerContext {
  db: Database;
  /** Aborted on cancel, timeout, lost lease or runner stop; `signal.reason` says which. */
  signal: AbortSignal;
  /** Publishes a `progress` event (throttled); the handler persists progress itself. */
  onProgress: (progress: JobProgress) => Promise<void>;
  logger: Logger;
  /** The worker holding the job's lease (what `locked_by` says while it runs). */
  workerId: string;
}

/** Runs one claimed job; resolve = completed, reject = failed attempt (permanent errors fail at once). */
export type JobHandler = (job: ConsolidationJob, ctx: JobHandlerContext) => Promise<unknown>;

/** The handlers a runner knows, by job kind (a job of any other kind fails with UnknownJobKindError). */
export type JobHandlers = Readonly<Record<string, JobHandler>>;

/** The handler registered for a kind, or undefined (own keys only). */
export function handlerFor(handlers: JobHandlers, kind: string): JobHandler | undefined {
  return Object.hasOwn(handlers, kind) ? handlers[kind] : undefined;
}
