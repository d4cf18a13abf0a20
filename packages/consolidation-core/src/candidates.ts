import { queryRows, toDate, uuidArray } from "@memcons/models";
import { type SQL, sql } from "drizzle-orm";
import type { PhaseContext } from "./phase-context.js";
import { timestamp } from "./sql-params.js";

/**
 * When this job first wrote anything (its earliest audit row), or null for a fresh job. Memories the job
 * created are the consolidated/synthesis ones created since then (one active job per project).
 */
export async function jobEpoch(ctx: PhaseContext): Promise<Date | null> {
  const [row] = await queryRows<{ epoch: unknown }>(
    ctx.db.orm,
    sql`SELECT min(changed_at) AS epoch FROM memcons.consolidation_changes WHERE consolidation_job_id = ${ctx.jobId}::uuid`,
  );
  return toDate(row?.epoch);
}

/** Keeps (alias `t`) only memories that existed when the job started. */
export function existedAtStart(ctx: PhaseContext): SQL {
  return sql`AND t.created_at <= ${timestamp(ctx.startedAt)}`;
}

/**
 * Excludes (alias `t`) memories that a pending review proposal of the project holds: they wait for a
 * decision, not for archiving. The held ids are read once (a hashed set), not once per memory.
 */
export function notAwaitingReview(projectId: string): SQL {
  return sql`AND t.id NOT IN (SELECT unnest(p.member_ids) FROM memcons.consolidation_proposals p
      WHERE p.project_id = ${projectId}::uuid AND p.status = 'pending')`;
}

/** Excludes (alias `t`) the memories this job created; a plain predicate, so plans stay index-friendly. */
export function notCreatedByJob(epoch: Date | null): SQL {
  if (!epoch) return sql``;
  return sql`AND NOT (t.memory_type IN ('consolidated', 'synthesis') AND t.created_at >= ${timestamp(epoch)})`;
}

/** Selects the job's candidate memories (alias `t`): active, not duplicates, in scope, not created by this job. */
export function candidateFilter(ctx: PhaseContext, epoch: Date | null): SQL {
  return sql`t.project_id = ${ctx.projectId}::uuid
    AND t.is_archived = false AND t.is_duplicate = false
    ${ctx.scope.unconsolidated_only ? sql`AND t.is_consolidated = false` : sql``}
    ${ctx.scopeIds ? sql`AND t.id = ANY(${uuidArray(ctx.scopeIds)})` : sql``}
    ${existedAtStart(ctx)}
    ${notCreatedByJob(epoch)}`;
}
