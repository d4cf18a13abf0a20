import { CONSOLIDATION_JOB_KIND, type Database, type Logger, ProjectNotFoundError, ValidationError, noopLogger } from "@memcons/models";
import { sql } from "drizzle-orm";
import { enqueueJob } from "./enqueue.js";
import { mapWithConcurrency } from "./pool.js";
import { checkDefaultThreshold } from "./threshold.js";

/** Options of the scheduled sweep. */
export interface SweepOptions {
  /** Threshold of projects that set none (default 100). */
  defaultThreshold?: number;
  /** Jobs enqueued in parallel (default 4). */
  concurrency?: number;
  logger?: Logger;
}

/** Outcome of a sweep. */
export interface SweepResult {
  /** Projects that have a scheduled (or already active) job after the sweep. */
  projects_queued: number;
  /** Jobs this sweep created (the others were already pending or running). */
  jobs_created: number;
  results: Array<{ project_id: string; job_id: string; created: boolean }>;
}

/**
 * Lists enabled, active projects whose active memories exceed their threshold, in one query
 * (per-project counts bounded by threshold+1, served by a partial index).
 */
export async function findProjectsDue(db: Database, options: { defaultThreshold?: number } = {}): Promise<string[]> {
  const defaultThreshold = checkDefaultThreshold(options.defaultThreshold);
  const rows = await db.rows<{ id: string }>(sql`
    select p.id
      from memcons.projects p
     cross join lateral (select coalesce(p.consolidation_threshold, ${defaultThreshold}::int) as threshold) t
     cross join lateral (
       select count(*) as n from (
         select 1 from memcons.task_memories m
          where m.project_id = p.id and not m.is_archived and not m.is_duplicate
          limit t.threshold + 1) s) c
     where p.consolidation_enabled and p.is_active and c.n > t.threshold
     order by p.id`);
  return rows.map((row) => String(row.id));
}

/**
 * The scheduled sweep: queues one `scheduled` job for every project due (see findProjectsDue),
 * with a concurrency limit; projects that already have an active job keep it.
 */
export async function runScheduledConsolidation(db: Database, options: SweepOptions = {}): Promise<SweepResult> {
  const logger = options.logger ?? noopLogger;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    const message = "concurrency must be a positive integer";
    throw new ValidationError(`Invalid sweep options: ${message}`, [{ path: "concurrency", message }]);
  }
  const started = Date.now();
  const due = await findProjectsDue(db, options);
  const queued = await mapWithConcurrency(due, concurrency, async (projectId) => {
    try {
      const { job, created } = await enqueueJob(db, {
        projectId,
        kind: CONSOLIDATION_JOB_KIND,
        triggerType: "scheduled",
        options: {},
        scope: { unconsolidated_only: false },
        triggeredBy: "system",
      });
      return { project_id: projectId, job_id: job.id, created };
    } catch (error) {
      if (!(error instanceof ProjectNotFoundError)) throw error;
      logger.debug({ project_id: projectId }, "project deleted during the sweep");
      return null;
    }
  });
  const results = queued.filter((r) => r !== null);
  const jobsCreated = results.filter((r) => r.created).length;
  logger.info(
    { projects_due: due.length, jobs_created: jobsCreated, duration_ms: Date.now() - started },
    "scheduled consolidation sweep finished",
  );
  return { projects_queued: results.length, jobs_created: jobsCreated, results };
}
