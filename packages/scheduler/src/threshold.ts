import {
  CONSOLIDATION_JOB_KIND,
  type ConsolidationJob,
  DEFAULT_GLOBAL_SETTINGS,
  type Database,
  ProjectNotFoundError,
  ValidationError,
  isUuid,
} from "@memcons/models";
import { sql } from "drizzle-orm";
import { enqueueJob } from "./enqueue.js";
import { type RawJobRow, rowToJob } from "./rows.js";

/** Outcome of a threshold check. */
export interface ThresholdCheckResult {
  /** True when the project has a job queued or running after the check. */
  triggered: boolean;
  /** Active, unconsolidated memories counted (capped at the threshold). */
  count: number;
  threshold: number;
  job?: ConsolidationJob;
  created?: boolean;
}

/** Validates a global default threshold (10..1000, as the global settings allow). */
export function checkDefaultThreshold(value: number | undefined): number {
  const threshold = value ?? DEFAULT_GLOBAL_SETTINGS.threshold;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 1_000_000) {
    const message = "defaultThreshold must be a positive integer";
    throw new ValidationError(`Invalid threshold: ${message}`, [{ path: "defaultThreshold", message }]);
  }
  return threshold;
}

/**
 * After memories were written: counts the project's active, unconsolidated memories (a count bounded
 * by the threshold, served by a partial index) and, at or above the threshold, queues a `threshold`
 * job with scope `{unconsolidated_only: true}`. Disabled or inactive projects never trigger.
 */
export async function checkThresholdTrigger(
  db: Database,
  projectId: string,
  options: { defaultThreshold?: number } = {},
): Promise<ThresholdCheckResult> {
  const defaultThreshold = checkDefaultThreshold(options.defaultThreshold);
  if (!isUuid(projectId)) throw new ProjectNotFoundError(String(projectId));
  // One round trip: eligibility, the threshold, the bounded count and the project's active job.
  const [row] = await db.rows<{ eligible: boolean; threshold: number; count: number | string; active: unknown }>(sql`
    select p.consolidation_enabled and p.is_active as eligible, t.threshold,
           case when p.consolidation_enabled and p.is_active then (
             select count(*) from (
               select 1 from memcons.task_memories m
                where m.project_id = p.id and not m.is_archived and not m.is_duplicate and not m.is_consolidated
                limit t.threshold) s)
           else 0 end as count,
           (select row_to_json(j) from memcons.consolidation_jobs j
             where j.project_id = p.id and j.kind = ${CONSOLIDATION_JOB_KIND} and j.status in ('pending', 'running')
             limit 1) as active
      from memcons.projects p
     cross join lateral (select coalesce(p.consolidation_threshold, ${defaultThreshold}::int) as threshold) t
     where p.id = ${projectId}`);
  if (!row) throw new ProjectNotFoundError(projectId);
  const threshold = Number(row.threshold);
  const count = Number(row.count);
  if (!row.eligible || count < threshold) return { triggered: false, count, threshold };
  if (row.active) {
    const active = typeof row.active === "string" ? JSON.parse(row.active) : row.active;
    return { triggered: true, count, threshold, job: rowToJob(active as RawJobRow), created: false };
  }
  const { job, created } = await enqueueJob(db, {
    projectId,
    kind: CONSOLIDATION_JOB_KIND,
    triggerType: "threshold",
    options: {},
    scope: { unconsolidated_only: true },
    triggeredBy: "system",
  });
  return { triggered: true, count, threshold, job, created };
}
