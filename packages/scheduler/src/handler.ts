import { type ConsolidationJob, type Database, type Logger, MemconsError, type Phase } from "@memcons/models";

/** Progress a handler reports while a job runs (the engine's ConsolidationProgress). */
export interface ConsolidationProgress {
  jobId: string;
  phase: Phase;
  /** 0..1 */
  progress: number;
  message?: string;
}

/** What a handler gets besides the job. */
export interface JobContext {
  db: Database;
  /** Aborted on cancel, timeout, lost lease or runner stop; `signal.reason` says which. */
  signal: AbortSignal;
  /** Publishes a `progress` event (throttled); the handler persists progress itself. */
  onProgress: (progress: ConsolidationProgress) => Promise<void>;
  logger: Logger;
}

/** Runs one claimed job; resolve = completed, reject = failed attempt (permanent errors fail at once). */
export type JobHandler = (job: ConsolidationJob, ctx: JobContext) => Promise<unknown>;

/** The engine entry point the default handler calls (the consolidation-core contract). */
type RunConsolidation = (
  db: Database,
  jobId: string,
  deps?: {
    signal?: AbortSignal;
    onProgress?: (p: ConsolidationProgress) => void | Promise<void>;
    logger?: Logger;
    actor?: string;
  },
) => Promise<unknown>;

/** The consolidation engine is not available in this installation. */
export class EngineUnavailableError extends MemconsError {
  constructor() {
    super("engine_unavailable", "@memcons/consolidation-core does not export runConsolidation", {
      permanent: false,
    });
  }
}

let loaded: Promise<RunConsolidation> | undefined;

async function loadEngine(): Promise<RunConsolidation> {
  const core: Record<string, unknown> = await import("@memcons/consolidation-core");
  const run = core.runConsolidation;
  if (typeof run !== "function") throw new EngineUnavailableError();
  return run as RunConsolidation;
}

/** The default handler: runs the consolidation engine (default offline embedder and synthesizer) on the job. */
export function createConsolidationHandler(): JobHandler {
  return async (job, ctx) => {
    loaded ??= loadEngine();
    let run: RunConsolidation;
    try {
      run = await loaded;
    } catch (error) {
      loaded = undefined;
      throw error;
    }
    return run(ctx.db, job.id, { signal: ctx.signal, onProgress: ctx.onProgress, logger: ctx.logger });
  };
}
