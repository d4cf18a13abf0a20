import { notAwaitingReview } from "../candidates.js";
import { queryRows } from "@memcons/models";
import type { PairSimilarity, TaskMemory } from "@memcons/models";
import { sql } from "drizzle-orm";
import { type PhaseContext, checkAborted } from "../phase-context.js";
import { jsonb, timestamp } from "../sql-params.js";
import type { Cluster } from "../detect/clusters.js";
import type { DetectResult } from "../phases/detect.js";
import { buildConsolidated } from "../phases/merge.js";
import { loadMemories, type MemoryRow } from "../store.js";
import { type ProposalCandidate, pairSimilarities } from "./borderline.js";

/** Counts of what a plan would do. */
export interface PlanSummary {
  clusters: number;
  memories_to_merge: number;
  summaries: number;
  archive: number;
  promote_new: number;
  promote_existing: number;
  review: number;
}

interface PlanItem {
  kind: "merge" | "archive" | "promote" | "review";
  memory_ids: string[];
  memory_versions: number[];
  similarities: PairSimilarity[] | null;
  detail: Record<string, unknown>;
}

/** Memories per archive or promote item. */
const IDS_PER_ITEM = 1000;
/** Items per insert statement. */
const INSERT_BATCH = 500;

/**
 * Works out what the job would do without changing any memory: each cluster with its members, similarities,
 * the consolidated memory and summary it would create and whether that would be promoted; the memories it
 * would archive and promote; the borderline sets it would propose. Stores it as the job's plan (replacing
 * the items of an earlier attempt).
 */
export async function writePlan(
  ctx: PhaseContext,
  detected: DetectResult,
  review: readonly ProposalCandidate[],
): Promise<PlanSummary> {
  const { candidates, clusters } = detected;
  const o = ctx.options;
  const items: PlanItem[] = [];
  const summary: PlanSummary = { clusters: 0, memories_to_merge: 0, summaries: 0, archive: 0, promote_new: 0, promote_existing: 0, review: 0 };
  for (let start = 0; start < clusters.length; start += ctx.batchSize) {
    checkAborted(ctx);
    const batch = clusters.slice(start, start + ctx.batchSize);
    const loaded = await loadMemories(ctx.db.orm, batch.flatMap((c) => c.members.map((i) => candidates.ids[i] as string)), false);
    for (const cluster of batch) {
      const item = await planCluster(ctx, detected, cluster, loaded);
      if (!item) continue;
      items.push(item);
      summary.clusters++;
      summary.memories_to_merge += o.merge_enabled ? item.memory_ids.length : 0;
      if (item.detail.summary) summary.summaries++;
      if (item.detail.promote_consolidated) summary.promote_new++;
      if ((item.detail.summary as { promote?: boolean } | undefined)?.promote) summary.promote_new++;
    }
    await ctx.progress("merge", Math.min(1, (start + batch.length) / Math.max(1, clusters.length)));
  }
  for (const r of review) {
    items.push({
      kind: "review",
      memory_ids: r.members.map((i) => candidates.ids[i] as string),
      memory_versions: r.members.map((i) => candidates.versions[i] as number),
      similarities: pairSimilarities(candidates, r.members),
      detail: { reason: r.reason },
    });
    summary.review++;
  }
  const merging = new Set(o.merge_enabled ? clusters.flatMap((c) => c.members.map((i) => candidates.ids[i] as string)) : []);
  if (o.archive_enabled) {
    const stale = (await staleMemories(ctx)).filter((m) => !merging.has(m.id));
    const reason = `Not reused for ${o.archive_stale_days} days and reused fewer than ${o.archive_min_reuse} times`;
    items.push(...chunk(stale, "archive", { reason }));
    summary.archive = stale.length;
  }
  if (o.promote_enabled) {
    const eligible = (await promotableMemories(ctx)).filter((m) => !merging.has(m.id));
    items.push(...chunk(eligible, "promote", { reason: `Confidence at least ${o.promote_confidence_threshold}` }));
    summary.promote_existing = eligible.length;
  }
  await storePlan(ctx, items, summary);
  return summary;
}

async function planCluster(
  ctx: PhaseContext,
  detected: DetectResult,
  cluster: Cluster,
  loaded: Map<string, MemoryRow>,
): Promise<PlanItem | null> {
  const { candidates } = detected;
  const o = ctx.options;
  const members = cluster.members
    .map((i) => ({ index: i, row: loaded.get(candidates.ids[i] as string) }))
    .filter((m): m is { index: number; row: MemoryRow } => m.row !== undefined);
  if (members.length < 2) return null;
  const merged = buildConsolidated(candidates, members, ctx.now());
  const confidence = merged.row.synthesis_confidence ?? 0;
  const detail: Record<string, unknown> = {
    min_similarity: round4(cluster.minSimilarity),
    mean_similarity: round4(cluster.meanSimilarity),
    representative_id: candidates.ids[merged.representative],
    consolidated: o.merge_enabled
      ? {
          memory_type: merged.row.memory_type,
          execution_summary: merged.row.execution_summary,
          goal: merged.row.goal,
          result: merged.row.result,
          feedback: merged.row.feedback,
          tags: merged.row.tags,
          file_paths: merged.row.file_paths,
          confidence,
        }
      : null,
    promote_consolidated: o.merge_enabled && o.promote_enabled && confidence >= o.promote_confidence_threshold,
  };
  if (o.summarize_enabled && members.length >= Math.max(3, o.min_cluster_size)) {
    checkAborted(ctx);
    const memories: TaskMemory[] = members.map((m) => ({ ...m.row, contextEmbedding: null, embeddingModel: null }));
    const s = await ctx.synthesizer.synthesize(memories, ctx.signal);
    const c = Math.max(0, Math.min(1, Math.round(s.confidence * 1000) / 1000));
    detail.summary = {
      content: s.content,
      confidence: c,
      needs_review: c < 0.8,
      model: ctx.synthesizer.model,
      promote: o.promote_enabled && c >= 0.8 && c >= o.promote_confidence_threshold,
    };
  }
  return {
    kind: "merge",
    memory_ids: members.map((m) => m.row.id),
    memory_versions: members.map((m) => candidates.versions[m.index] as number),
    similarities: pairSimilarities(candidates, members.map((m) => m.index)),
    detail,
  };
}

interface IdVersion extends Record<string, unknown> {
  id: string;
  version: number;
}

/** What the archive phase would archive now. */
function staleMemories(ctx: PhaseContext): Promise<IdVersion[]> {
  const o = ctx.options;
  const staleBefore = new Date(ctx.now().getTime() - o.archive_stale_days * 86_400_000);
  return queryRows<IdVersion>(ctx.db.orm,
    sql`SELECT t.id, t.version FROM memcons.task_memories t
        WHERE t.project_id = ${ctx.projectId}::uuid AND t.is_archived = false AND t.is_duplicate = false
          ${ctx.scope.unconsolidated_only ? sql`AND t.is_consolidated = false` : sql``}
          AND coalesce(t.last_reused_at, t.learned_at) < ${timestamp(staleBefore)}
          AND t.reused_count < ${o.archive_min_reuse}
          ${notAwaitingReview(ctx.projectId)}
        ORDER BY t.id`,
  );
}

/** Existing memories the promote phase would consider (equivalence to playbook entries is checked when applied). */
function promotableMemories(ctx: PhaseContext): Promise<IdVersion[]> {
  return queryRows<IdVersion>(ctx.db.orm,
    sql`SELECT t.id, t.version FROM memcons.task_memories t
        WHERE t.project_id = ${ctx.projectId}::uuid AND t.memory_type IN ('consolidated', 'synthesis')
          AND t.is_archived = false AND t.is_duplicate = false AND t.needs_review = false
          AND t.synthesis_confidence >= ${ctx.options.promote_confidence_threshold}
          AND t.id NOT IN (SELECT unnest(p.supporting_memory_ids) FROM memcons.playbook_entries p
                           WHERE p.project_id = ${ctx.projectId}::uuid)
        ORDER BY t.id`,
  );
}

function chunk(found: readonly IdVersion[], kind: "archive" | "promote", detail: Record<string, unknown>): PlanItem[] {
  const items: PlanItem[] = [];
  for (let start = 0; start < found.length; start += IDS_PER_ITEM) {
    const part = found.slice(start, start + IDS_PER_ITEM);
    items.push({
      kind,
      memory_ids: part.map((m) => m.id),
      memory_versions: part.map((m) => Number(m.version)),
      similarities: null,
      detail,
    });
  }
  return items;
}

async function storePlan(ctx: PhaseContext, items: readonly PlanItem[], summary: PlanSummary): Promise<void> {
  await ctx.db.orm.transaction(async (tx) => {
    await tx.execute(
      sql`INSERT INTO memcons.consolidation_plans (job_id, project_id, status, summary, created_at)
          VALUES (${ctx.jobId}::uuid, ${ctx.projectId}::uuid, 'ready', ${jsonb(JSON.stringify(summary))}, ${timestamp(ctx.now())})
          ON CONFLICT (job_id) DO UPDATE SET summary = excluded.summary`,
    );
    await tx.execute(sql`DELETE FROM memcons.consolidation_plan_items WHERE job_id = ${ctx.jobId}::uuid`);
    for (let start = 0; start < items.length; start += INSERT_BATCH) {
      const batch = items.slice(start, start + INSERT_BATCH).map((item, k) => ({ position: start + k, ...item }));
      await tx.execute(
        sql`INSERT INTO memcons.consolidation_plan_items (job_id, position, kind, memory_ids, memory_versions, similarities, detail)
            SELECT ${ctx.jobId}::uuid, r.position, r.kind, r.memory_ids, r.memory_versions, r.similarities, r.detail
            FROM jsonb_to_recordset(${jsonb(JSON.stringify(batch))}) AS r(position int, kind text, memory_ids uuid[],
              memory_versions int[], similarities jsonb, detail jsonb)`,
      );
    }
  });
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
