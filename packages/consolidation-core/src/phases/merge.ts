import { randomUUID } from "node:crypto";
import { type PhaseContext, assertHeld, sharedType, writeInLanes, writeScope } from "../phase-context.js";
import { rowDot, rowVector } from "../embedding/rows.js";
import type { Cluster } from "../detect/clusters.js";
import { EmbeddingDimensionError } from "../errors.js";
import {
  addToCounter,
  type DuplicateSource,
  insertCreatedMemories,
  loadMemories,
  markDuplicates,
  type MemoryRow,
  type NewMemoryJson,
} from "../store.js";
import { memoryText, mergeDistinctSentences, unionInOrder } from "../text.js";
import type { Candidates } from "./detect.js";
import type { SynthesisAhead } from "./synthesis.js";

/** Counters of the merge phase. */
export interface MergeStats {
  clusters_merged: number;
  memories_merged: number;
  consolidated_created: number;
  /** Members left out because they changed (or were archived/merged) after detection. */
  members_skipped: number;
  /** Clusters dropped because too few unchanged members were left. */
  clusters_skipped: number;
  /** Milliseconds spent locking rows, embedding merged texts and writing. */
  lock_ms: number;
  embed_ms: number;
  write_ms: number;
}

/** Merges each cluster into one consolidated memory, atomically per batch of clusters with the rows locked. */
export async function runMerge(
  ctx: PhaseContext,
  candidates: Candidates,
  clusters: readonly Cluster[],
  ahead: SynthesisAhead | null = null,
): Promise<MergeStats> {
  const stats = emptyStats();
  // Batches of clusters have disjoint rows, so two can be written at once.
  await writeInLanes(ctx, "merge", clusters, ctx.batchSize, async (batch) => {
    const { mergedRows, sourceTypes } = await mergeBatch(ctx, candidates, batch, stats, ahead !== null);
    for (const [id, type] of sourceTypes) ctx.sourceTypes.set(id, type);
    // Once committed, the clusters of 3+ are synthesized while later batches write.
    const smallest = Math.max(3, ctx.options.min_cluster_size);
    for (const rows of mergedRows) if (ahead && rows.length >= smallest) ahead.add(rows.map((r) => r.id), rows);
  });
  return stats;
}

/**
 * Merges one batch of clusters in one transaction with the member rows locked; returns the type shared by each
 * consolidated memory's members (where they share one) and, with `keepRows`, the member rows of each merged
 * cluster as the merge left them, in `consolidated_from` order.
 */
async function mergeBatch(
  ctx: PhaseContext,
  candidates: Candidates,
  batch: readonly Cluster[],
  stats: MergeStats,
  keepRows: boolean,
): Promise<{ mergedRows: MemoryRow[][]; sourceTypes: Array<[string, string]> }> {
  return ctx.db.orm.transaction(async (tx) => {
    await assertHeld(ctx, tx);
    const now = ctx.now();
    const memberIds = batch.flatMap((c) => c.members.map((i) => candidates.ids[i] as string));
    const t0 = Date.now();
    const locked = await loadMemories(tx, memberIds, true);
    stats.lock_ms += Date.now() - t0;
    const created: Array<{ row: NewMemoryJson; text: string }> = [];
    const settledIndexes: number[] = [];
    const mergedRows: MemoryRow[][] = [];
    const sourceTypes: Array<[string, string]> = [];
    const sources: DuplicateSource[] = [];
    const local = emptyStats();
    for (const cluster of batch) {
      const kept = cluster.members.filter((i) => {
        const row = locked.get(candidates.ids[i] as string);
        return (
          row !== undefined &&
          row.version === candidates.versions[i] &&
          !row.isDuplicate &&
          !row.isArchived &&
          row.projectId === ctx.projectId
        );
      });
      local.members_skipped += cluster.members.length - kept.length;
      if (kept.length < Math.max(2, ctx.options.min_cluster_size)) {
        local.clusters_skipped++;
        continue;
      }
      const members = kept.map((i) => ({ index: i, row: locked.get(candidates.ids[i] as string) as MemoryRow }));
      const merged = buildConsolidated(candidates, members, now);
      created.push({ row: merged.row, text: merged.text });
      const type = sharedType(members.map((m) => m.row.memoryType));
      if (type !== null) sourceTypes.push([merged.row.id, type]);
      if (keepRows) mergedRows.push(rowsAsMerged(members, merged.row, now));
      for (const m of members) {
        const similarity = m.index === merged.representative ? 1 : rowDot(candidates.vectors, m.index, merged.representative);
        settledIndexes.push(m.index);
        sources.push({
          id: m.row.id,
          dup: merged.row.id,
          v: m.row.version,
          reason: `Duplicate merged into consolidated memory ${merged.row.id}`,
          confidence: clamp01(round3(similarity)),
          // An embedding computed during detection is stored with this write.
          embedding: candidates.computed[m.index] === 1 ? rowVector(candidates.vectors, m.index) : null,
        });
      }
      local.clusters_merged++;
      local.memories_merged += members.length;
      local.consolidated_created++;
    }
    const t1 = Date.now();
    const vectors = await ctx.embedder.embed(created.map((c) => c.text), ctx.signal);
    const withEmbeddings = created.map((c, k) => {
      const v = vectors[k];
      if (!v || v.length !== ctx.embedder.dimensions) {
        throw new EmbeddingDimensionError(ctx.embedder.dimensions, v?.length ?? 0, ctx.embedder.model);
      }
      return { row: c.row, embedding: v };
    });
    const t2 = Date.now();
    stats.embed_ms += t2 - t1;
    await insertCreatedMemories(tx, writeScope(ctx), "merge", withEmbeddings, now);
    const marked = await markDuplicates(tx, writeScope(ctx), sources, now);
    if (marked !== sources.length) {
      throw new Error(`merge: expected to mark ${sources.length} duplicates, marked ${marked}`);
    }
    for (const index of settledIndexes) candidates.settled[index] = 1;
    await addToCounter(tx, ctx.jobId, "memories_merged", marked);
    stats.write_ms += Date.now() - t2;
    stats.clusters_merged += local.clusters_merged;
    stats.memories_merged += local.memories_merged;
    stats.consolidated_created += local.consolidated_created;
    stats.members_skipped += local.members_skipped;
    stats.clusters_skipped += local.clusters_skipped;
    return { mergedRows, sourceTypes };
  });
}

/** The members' rows as markDuplicates leaves them, in the consolidated memory's `consolidated_from` order. */
function rowsAsMerged(members: ReadonlyArray<{ row: MemoryRow }>, consolidated: NewMemoryJson, now: Date): MemoryRow[] {
  const byId = new Map(members.map((m) => [m.row.id, m.row]));
  return consolidated.consolidated_from.map((id) => {
    const row = byId.get(id) as MemoryRow;
    return { ...row, isDuplicate: true, duplicateOf: consolidated.id, isConsolidated: true, version: row.version + 1, updatedAt: now };
  });
}

function emptyStats(): MergeStats {
  return {
    clusters_merged: 0,
    memories_merged: 0,
    consolidated_created: 0,
    members_skipped: 0,
    clusters_skipped: 0,
    lock_ms: 0,
    embed_ms: 0,
    write_ms: 0,
  };
}

/** Builds the consolidated memory a cluster becomes (without writing it), its text and its representative member. */
export function buildConsolidated(
  candidates: Candidates,
  members: Array<{ index: number; row: MemoryRow }>,
  now: Date,
): { row: NewMemoryJson; text: string; representative: number } {
  // Representative: most reused, then most recently learned, then lowest id.
  const ordered = [...members].sort(
    (a, b) =>
      b.row.reusedCount - a.row.reusedCount ||
      b.row.learnedAt.getTime() - a.row.learnedAt.getTime() ||
      (a.row.id < b.row.id ? -1 : 1),
  );
  const rep = ordered[0] as { index: number; row: MemoryRow };
  const rows = ordered.map((m) => m.row);
  const field = (pick: (r: MemoryRow) => string | null) => {
    const merged = mergeDistinctSentences(rows.map(pick));
    return merged.length > 0 ? merged : null;
  };
  const executionSummary = field((r) => r.executionSummary) ?? rep.row.executionSummary;
  const goal = field((r) => r.goal);
  const result = field((r) => r.result);
  const feedback = field((r) => r.feedback);
  let simSum = 0;
  let simCount = 0;
  for (let a = 0; a < members.length; a++) {
    for (let b = a + 1; b < members.length; b++) {
      simSum += rowDot(candidates.vectors, (members[a] as { index: number }).index, (members[b] as { index: number }).index);
      simCount++;
    }
  }
  const meanSimilarity = simCount > 0 ? simSum / simCount : 1;
  const successRate = rows.filter((r) => r.success).length / rows.length;
  const confidence = clamp01(round3(meanSimilarity * (1 - 0.5 ** rows.length) * (0.5 + 0.5 * successRate)));
  const lastReused = rows
    .map((r) => r.lastReusedAt)
    .filter((d): d is Date => d instanceof Date)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  const learned = rows.map((r) => r.learnedAt).sort((a, b) => b.getTime() - a.getTime())[0] as Date;
  const row: NewMemoryJson = {
    id: randomUUID(),
    task_id: rep.row.taskId,
    memory_type: "consolidated",
    execution_summary: executionSummary,
    goal,
    result,
    feedback,
    tags: unionInOrder(rows.map((r) => r.tags)),
    file_paths: unionInOrder(rows.map((r) => r.filePaths)),
    success: rows.some((r) => r.success),
    reused_count: rows.reduce((sum, r) => sum + r.reusedCount, 0),
    last_reused_at: lastReused ? lastReused.toISOString() : null,
    learned_at: learned.toISOString(),
    consolidated_from: rows.map((r) => r.id),
    consolidated_at: now.toISOString(),
    synthesized_from: [],
    synthesized_at: null,
    synthesis_confidence: confidence,
    needs_review: false,
    reason: `Merged ${rows.length} similar ${rep.row.memoryType} memories (mean similarity ${meanSimilarity.toFixed(3)})`,
    detail: null,
  };
  return { row, text: memoryText({ executionSummary, goal, result, feedback }), representative: rep.index };
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
