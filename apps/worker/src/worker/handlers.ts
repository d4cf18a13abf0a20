import { type Embedder, type Judge, runConsolidation, type Synthesizer } from "@memcons/consolidation-core";
import { CONSOLIDATION_JOB_KIND } from "@memcons/models";
import type { JobHandler, JobHandlers } from "@memcons/scheduler";

/** What the job handlers of this app need: the AI providers and the actor their audit rows name. */
export interface JobHandlerDeps {
  embedder: Embedder;
  synthesizer: Synthesizer;
  /** Decides review proposals during jobs (none: proposals wait for a person). */
  judge?: Judge;
  /** Recorded as `changed_by` of the audit rows, e.g. `worker:<id>`. */
  actor: string;
}

/** The handler of `consolidation` jobs: runs the consolidation engine with the configured AI providers. */
export function consolidationHandler(deps: JobHandlerDeps): JobHandler {
  return (job, ctx) =>
    runConsolidation(ctx.db, job.id, {
      embedder: deps.embedder,
      synthesizer: deps.synthesizer,
      ...(deps.judge ? { judge: deps.judge } : {}),
      signal: ctx.signal,
      onProgress: ctx.onProgress,
      logger: ctx.logger,
      actor: deps.actor,
      holder: ctx.workerId,
    });
}

/** Every job kind this app runs, with its handler: the list a worker's runner is given. */
export function jobHandlers(deps: JobHandlerDeps): JobHandlers {
  return {
    [CONSOLIDATION_JOB_KIND]: consolidationHandler(deps),
  };
}
