import { type Embedder, type Judge, reembedProject, runConsolidation, type Synthesizer } from "@memcons/consolidation-core";
import { CONSOLIDATION_JOB_KIND, queryRows, REEMBED_JOB_KIND } from "@memcons/models";
import { sql } from "drizzle-orm";
import type { JobHandler, JobHandlers } from "@memcons/scheduler";

/** What the job handlers of this app need: the AI providers and the actor their audit rows name. */
export interface JobHandlerDeps {
  embedder: Embedder;
  synthesizer: Synthesizer;
  /** Decides review proposals during jobs (none: proposals wait for a person). */
  judge?: Judge;
  /** Recorded as `changed_by` of the audit rows, e.g. `worker:<id>`. */
  actor: string;
  /** Most threads one job computes with (undefined: the engine's default). */
  threads?: number;
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
      ...(deps.threads ? { threads: deps.threads } : {}),
    });
}

/**
 * The handler of `reembed` jobs: re-embeds the project's memories and playbook entries that the configured
 * embedder did not produce (every one with option `all: true`), keeping the job's progress and result.
 */
export function reembedHandler(deps: Pick<JobHandlerDeps, "embedder">): JobHandler {
  return async (job, ctx) => {
    const result = await reembedProject(ctx.db, job.projectId, {
      embedder: deps.embedder,
      all: job.options.all === true,
      signal: ctx.signal,
      onProgress: async ({ done, total }) => {
        const progress = total > 0 ? Math.min(1, done / total) : 1;
        await queryRows(ctx.db.orm, sql`UPDATE memcons.consolidation_jobs SET progress = ${progress} WHERE id = ${job.id}::uuid`);
        await ctx.onProgress({ phase: "reembed", progress });
      },
    });
    await queryRows(
      ctx.db.orm,
      sql`UPDATE memcons.consolidation_jobs SET progress = 1, metrics = metrics || ${JSON.stringify(result)}::jsonb
          WHERE id = ${job.id}::uuid`,
    );
    ctx.logger.info({ job_id: job.id, ...result }, "re-embedding finished");
    return result;
  };
}

/** Every job kind this app runs, with its handler: the list a worker's runner is given. */
export function jobHandlers(deps: JobHandlerDeps): JobHandlers {
  return {
    [CONSOLIDATION_JOB_KIND]: consolidationHandler(deps),
    [REEMBED_JOB_KIND]: reembedHandler(deps),
  };
}
