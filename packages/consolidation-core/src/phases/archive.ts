import { queryRows, uuidArray } from "@memcons/models";
import { sql } from "drizzle-orm";
import { existedAtStart, jobEpoch, notAwaitingReview, notCreatedByJob } from "../candidates.js";
import { type PhaseContext, assertHeld, checkAborted } from "../phase-context.js";
import { timestamp } from "../sql-params.js";
import { memoryJson } from "../store.js";
import { insertChanges } from "../audit.js";

/** Counters of the archive phase. */
export interface ArchiveStats {
  memories_archived: number;
  batches: number;
}

const ARCHIVE_BATCH = 5000;

/**
 * Archives stale, rarely reused memories (reason `staleness`) in bulk: each batch is one statement that
 * locks the rows, updates them, writes their audit rows and bumps the job counter. A plan's job archives
 * only the memories it planned, and only those still at their planned version.
 */
export async function runArchive(
  ctx: PhaseContext,
  planned: { ids: readonly string[]; versions: readonly number[] } | null = null,
): Promise<ArchiveStats> {
  const stats: ArchiveStats = { memories_archived: 0, batches: 0 };
  const epoch = (await jobEpoch(ctx)) ?? ctx.now();
  const staleBefore = new Date(ctx.now().getTime() - ctx.options.archive_stale_days * 86_400_000);
  // Two lanes archive disjoint batches at once where the database allows it (SKIP LOCKED keeps them apart); a lane
  // stops once its batch comes back short, when every stale memory is archived or held by the other lane.
  const lane = async (): Promise<void> => {
    for (;;) {
      if (!(await archiveBatch(ctx, stats, staleBefore, epoch, planned))) return;
      await ctx.progress("archive", 0.5);
    }
  };
  await Promise.all(ctx.db.supportsConcurrency ? [lane(), lane()] : [lane()]);
  return stats;
}

/** Archives one batch of stale memories in one statement; whether the batch was full (more may be left). */
async function archiveBatch(
  ctx: PhaseContext,
  stats: ArchiveStats,
  staleBefore: Date,
  epoch: Date,
  planned: { ids: readonly string[]; versions: readonly number[] } | null,
): Promise<boolean> {
  checkAborted(ctx);
  await assertHeld(ctx);
  const now = ctx.now();
  const reason = `Not reused for ${ctx.options.archive_stale_days} days and reused fewer than ${ctx.options.archive_min_reuse} times`;
  const result = await queryRows<{ n: number }>(ctx.db.orm,
    sql`WITH old AS (
          SELECT t.id, ${memoryJson("t")} AS prev FROM memcons.task_memories t
          WHERE t.project_id = ${ctx.projectId}::uuid AND t.is_archived = false AND t.is_duplicate = false
            ${ctx.scope.unconsolidated_only ? sql`AND t.is_consolidated = false` : sql``}
            AND coalesce(t.last_reused_at, t.learned_at) < ${timestamp(staleBefore)}
            AND t.reused_count < ${ctx.options.archive_min_reuse}
            ${existedAtStart(ctx)}
            ${notCreatedByJob(epoch)}
            ${notAwaitingReview(ctx.projectId)}
            ${planned ? sql`AND (t.id, t.version) IN (SELECT * FROM unnest(${uuidArray(planned.ids)}, ${`{${planned.versions.join(",")}}`}::int[]))` : sql``}
          ORDER BY t.id
          LIMIT ${ARCHIVE_BATCH}
          FOR UPDATE SKIP LOCKED
        ), upd AS (
          UPDATE memcons.task_memories t SET is_archived = true, archived_at = ${timestamp(now)},
            archive_reason = 'staleness', is_consolidated = true,
            version = t.version + 1, updated_at = ${timestamp(now)}
          FROM old WHERE t.id = old.id
          RETURNING t.id, t.is_archived, t.archived_at, t.archive_reason, t.is_consolidated, t.version,
            t.updated_at, old.prev AS _prev
        ), audit AS (${insertChanges(
          { jobId: ctx.jobId, operation: "archive", at: now, actor: ctx.actor },
          {
            memoryId: sql`upd.id`,
            previousState: sql`upd._prev`,
            newState: sql`jsonb_build_object('is_archived', upd.is_archived, 'archived_at', upd.archived_at,
              'archive_reason', upd.archive_reason, 'is_consolidated', upd.is_consolidated,
              'version', upd.version, 'updated_at', upd.updated_at)`,
            reason: sql`${reason}`,
            confidence: sql`NULL`,
          },
          sql`upd`,
        )}), counter AS (
          UPDATE memcons.consolidation_jobs SET memories_archived = memories_archived + (SELECT count(*) FROM audit)
          WHERE id = ${ctx.jobId}::uuid
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM audit)::int AS n, (SELECT count(*) FROM counter)::int AS c`,
  );
  const n = Number(result[0]?.n ?? 0);
  stats.memories_archived += n;
  stats.batches++;
  return n === ARCHIVE_BATCH;
}
