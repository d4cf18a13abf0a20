import { queryRows, uuidArray } from "@memcons/models";
import { type SQL, sql } from "drizzle-orm";
import { existedAtStart, jobEpoch, notAwaitingReview, notCreatedByJob } from "../candidates.js";
import { type PhaseContext, assertHeld, writeInLanes } from "../phase-context.js";
import { timestamp } from "../sql-params.js";
import { memoryJson, type VersionedVector, versionedVectors } from "../store.js";
import { insertChanges } from "../audit.js";
import { rowVector } from "../embedding/rows.js";
import type { Candidates } from "./detect.js";

/** Counters of the archive phase. */
export interface ArchiveStats {
  memories_archived: number;
  /** Embeddings computed by detection that the archiving writes stored. */
  embeddings_stored: number;
  batches: number;
}

const ARCHIVE_BATCH = 2500;

type Planned = { ids: readonly string[]; versions: readonly number[] } | null;

/**
 * Archives stale, rarely reused memories (reason `staleness`) in bulk. The stale ids are read once, in id order;
 * each batch of them is then one statement that locks the rows, checks them again, updates them, writes their
 * audit rows and bumps the job counter. A plan's job archives only the memories it planned, and only those still
 * at their planned version. An embedding detection computed for a memory is stored by the same row write when the
 * memory still has the version it was embedded at, and the final step then leaves that memory alone.
 */
export async function runArchive(ctx: PhaseContext, planned: Planned = null, candidates: Candidates | null = null): Promise<ArchiveStats> {
  const stats: ArchiveStats = { memories_archived: 0, embeddings_stored: 0, batches: 0 };
  const epoch = (await jobEpoch(ctx)) ?? ctx.now();
  const staleBefore = new Date(ctx.now().getTime() - ctx.options.archive_stale_days * 86_400_000);
  const stale = await queryRows<{ id: string }>(ctx.db.orm,
    sql`SELECT t.id FROM memcons.task_memories t WHERE ${staleFilter(ctx, staleBefore, epoch, planned)} ORDER BY t.id`,
  );
  const ids = stale.map((row) => row.id);
  const computed = candidates ? computedFor(candidates, ids) : new Map<string, number>();
  // A planned batch is checked against the planned versions of its own ids, not the whole plan's.
  const plannedVersions = planned ? new Map(planned.ids.map((id, k) => [id, planned.versions[k] as number])) : null;
  const planOf = (batch: readonly string[]): Planned =>
    plannedVersions ? { ids: batch, versions: batch.map((id) => plannedVersions.get(id) as number) } : null;
  // Reading the ids once keeps the phase linear: a batch never scans past the rows earlier batches archived.
  await writeInLanes(ctx, "archive", ids, ARCHIVE_BATCH, (batch) =>
    archiveBatch(ctx, stats, staleFilter(ctx, staleBefore, epoch, planOf(batch)), batch, candidates, computed),
  );
  return stats;
}

/** The candidate index of each of `ids` whose embedding was computed by detection and is not stored yet. */
function computedFor(candidates: Candidates, ids: readonly string[]): Map<string, number> {
  const wanted = new Set(ids);
  const found = new Map<string, number>();
  candidates.ids.forEach((id, i) => {
    if (candidates.computed[i] === 1 && candidates.settled[i] === 0 && wanted.has(id)) found.set(id, i);
  });
  return found;
}

/** Selects (alias `t`) the project's stale, rarely reused memories that this job may archive. */
function staleFilter(ctx: PhaseContext, staleBefore: Date, epoch: Date, planned: Planned): SQL {
  return sql`t.project_id = ${ctx.projectId}::uuid AND t.is_archived = false AND t.is_duplicate = false
            ${ctx.scope.unconsolidated_only ? sql`AND t.is_consolidated = false` : sql``}
            AND coalesce(t.last_reused_at, t.learned_at) < ${timestamp(staleBefore)}
            AND t.reused_count < ${ctx.options.archive_min_reuse}
            ${existedAtStart(ctx)}
            ${notCreatedByJob(epoch)}
            ${notAwaitingReview(ctx.projectId)}
            ${planned ? sql`AND (t.id, t.version) IN (SELECT * FROM unnest(${uuidArray(planned.ids)}, ${`{${planned.versions.join(",")}}`}::int[]))` : sql``}`;
}

/**
 * Archives the batch's memories that still pass `filter`, in one statement of one transaction, storing the
 * computed embeddings of the ones still at the version they were embedded at.
 */
async function archiveBatch(
  ctx: PhaseContext,
  stats: ArchiveStats,
  filter: SQL,
  batch: readonly string[],
  candidates: Candidates | null,
  computed: ReadonlyMap<string, number>,
): Promise<void> {
  const now = ctx.now();
  const reason = `Not reused for ${ctx.options.archive_stale_days} days and reused fewer than ${ctx.options.archive_min_reuse} times`;
  const toStore: VersionedVector[] = [];
  const indexOf = new Map<string, number>();
  if (candidates) {
    for (const id of batch) {
      const i = computed.get(id);
      if (i === undefined) continue;
      indexOf.set(id, i);
      toStore.push({ id, version: candidates.versions[i] as number, vector: rowVector(candidates.vectors, i) });
    }
  }
  const result = await ctx.db.orm.transaction(async (tx) => {
    await assertHeld(ctx, tx);
    const embeddings = await versionedVectors(tx, toStore);
    return queryRows<{ n: number; stored: string }>(tx,
    sql`WITH old AS (
          SELECT t.id, t.version, ${memoryJson("t")} AS prev FROM memcons.task_memories t
          WHERE t.id = ANY(${uuidArray(batch)}) AND ${filter}
          ORDER BY t.id
          FOR UPDATE
        ), emb AS ${embeddings}, upd AS (
          UPDATE memcons.task_memories t SET is_archived = true, archived_at = ${timestamp(now)},
            archive_reason = 'staleness', is_consolidated = true,
            version = t.version + 1, updated_at = ${timestamp(now)},
            context_embedding = CASE WHEN emb.e IS NULL THEN t.context_embedding ELSE emb.e END,
            embedding_model = CASE WHEN emb.e IS NULL THEN t.embedding_model ELSE ${ctx.embedder.model} END
          -- an embedding is stored only for a memory still at the version it was computed for
          FROM old LEFT JOIN emb ON emb.id = old.id AND emb.v = old.version
          WHERE t.id = old.id
          RETURNING t.id, t.is_archived, t.archived_at, t.archive_reason, t.is_consolidated, t.version,
            t.updated_at, old.prev AS _prev, emb.e IS NOT NULL AS _stored
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
        SELECT (SELECT count(*) FROM audit)::int AS n, (SELECT count(*) FROM counter)::int AS c,
          (SELECT coalesce(string_agg(upd.id::text, ','), '') FROM upd WHERE upd._stored) AS stored`,
    );
  });
  // Once committed, the final step has nothing left to write for the memories whose embedding was stored.
  if (candidates) {
    for (const id of (result[0]?.stored ?? "").split(",")) {
      const i = indexOf.get(id);
      if (i === undefined) continue;
      candidates.settled[i] = 1;
      stats.embeddings_stored++;
    }
  }
  stats.memories_archived += Number(result[0]?.n ?? 0);
  stats.batches++;
}
