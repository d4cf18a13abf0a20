import {
  type ConsolidationProgress,
  type RunConsolidationDeps,
  runConsolidation,
} from "@memcons/consolidation-core";
import type { ConsolidationJob, Database, Logger } from "@memcons/models";

export type { ConsolidationProgress } from "@memcons/consolidation-core";

/** What a handler gets besides the job. */
export interface JobContext {
  db: Database;
  /** Aborted on cancel, timeout, lost lease or runner stop; `signal.reason` says which. */
  signal: AbortSignal;
  /** Publishes a `progress` event (throttled); the handler persists progress itself. */
  onProgress: (progress: ConsolidationProgress) => Promise<void>;
  logger: Logger;
  /** The worker holding the job's lease (what `locked_by` says while it runs). */
  workerId: string;
}

/** Runs one claimed job; resolve = completed, reject = failed attempt (permanent errors fail at once). */
export type JobHandler = (job: ConsolidationJob, ctx: JobContext) => Promise<unknown>;

/** Engine collaborators the default handler passes on (embedder, synthesizer, actor, batch size…). */
export type ConsolidationHandlerOptions = Omit<RunConsolidationDeps, "signal" | "onProgress" | "logger" | "holder">;

/**
 * The default handler: runs the consolidation engine (`runConsolidation`) on the job, with the
 * engine's offline embedder and synthesizer unless others are given.
 */
export function createConsolidationHandler(options: ConsolidationHandlerOptions = {}): JobHandler {
  return (job, ctx) =>
    runConsolidation(ctx.db, job.id, {
      ...options,
      signal: ctx.signal,
      onProgress: ctx.onProgress,
      logger: ctx.logger,
      holder: ctx.workerId,
    });
}
