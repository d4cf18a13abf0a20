import { queryRows } from "@memcons/models";
import { randomUUID } from "node:crypto";
import type { TaskMemory } from "@memcons/models";
import { sql } from "drizzle-orm";
import { BackgroundWriter } from "../background.js";
import { type PhaseContext, assertHeld, checkAborted, writeScope } from "../phase-context.js";
import { EmbeddingDimensionError } from "../errors.js";
import {
  addToCounter,
  insertCreatedMemories,
  loadMemories,
  type MemoryRow,
  type NewMemoryJson,
} from "../store.js";
import { unionInOrder } from "../text.js";

/** Counters of the summarize phase. */
export interface SummarizeStats {
  summaries_created: number;
  needs_review: number;
  /** Clusters that already had a synthesis from this job (resumed run). */
  already_done: number;
}

/** Creates the synthesis memories of clusters of 3+ members; idempotent per cluster within a job. */
export async function runSummarize(
  ctx: PhaseContext,
  detectedClusters: ReadonlyArray<readonly string[]> | null,
): Promise<SummarizeStats> {
  const clusters = (detectedClusters ?? (await mergedClusters(ctx))).filter(
    (members) => members.length >= Math.max(3, ctx.options.min_cluster_size),
  );
  const summarized = await summarizedKeys(ctx);
  const stats: SummarizeStats = { summaries_created: 0, needs_review: 0, already_done: 0 };
  const todo = clusters.filter((members) => {
    const isDone = summarized.has(clusterKey(members));
    if (isDone) stats.already_done++;
    return !isDone;
  });
  // Each batch's insert runs in the background while the next batch is synthesized.
  const writer = new BackgroundWriter(ctx.db.supportsConcurrency ? 2 : 1);
  let done = 0;
  await writer.drain(async () => {
    for (let start = 0; start < todo.length; start += ctx.batchSize) {
      const batch = todo.slice(start, start + ctx.batchSize);
      const created = await synthesizeBatch(ctx, batch);
      await writer.slot();
      checkAborted(ctx);
      writer.start(async () => {
        await ctx.db.orm.transaction(async (tx) => {
          await assertHeld(ctx, tx);
          const n = await insertCreatedMemories(tx, writeScope(ctx), "summarize", created, ctx.now());
          await addToCounter(tx, ctx.jobId, "summaries_created", n);
        });
        stats.summaries_created += created.length;
        stats.needs_review += created.filter((c) => c.row.needs_review).length;
        done += batch.length;
        await ctx.progress("summarize", Math.min(1, done / todo.length));
      });
    }
  });
  return stats;
}

/** Synthesizes one batch of clusters and embeds the syntheses. */
async function synthesizeBatch(
  ctx: PhaseContext,
  batch: ReadonlyArray<readonly string[]>,
): Promise<Array<{ row: NewMemoryJson; embedding: Float32Array }>> {
  const loaded = await loadMemories(ctx.db.orm, batch.flat(), false);
  const created: Array<{ row: NewMemoryJson; text: string }> = [];
  for (const members of batch) {
    checkAborted(ctx);
    const rowsOf = members
      .map((id) => loaded.get(id))
      .filter((r): r is MemoryRow => r !== undefined);
    if (rowsOf.length < 3) continue;
    const memories: TaskMemory[] = rowsOf.map((r) => ({ ...r, contextEmbedding: null, embeddingModel: null }));
    const synthesis = await ctx.synthesizer.synthesize(memories, ctx.signal);
    const now = ctx.now();
    const confidence = Math.max(0, Math.min(1, Math.round(synthesis.confidence * 1000) / 1000));
    const learned = rowsOf.map((r) => r.learnedAt).sort((a, b) => b.getTime() - a.getTime())[0] as Date;
    created.push({
      text: synthesis.content,
      row: {
        id: randomUUID(),
        task_id: null,
        memory_type: "synthesis",
        execution_summary: synthesis.content,
        goal: null,
        result: null,
        feedback: null,
        tags: unionInOrder([synthesis.tags, ...rowsOf.map((r) => r.tags)]),
        file_paths: unionInOrder(rowsOf.map((r) => r.filePaths)),
        success: rowsOf.some((r) => r.success),
        reused_count: 0,
        last_reused_at: null,
        learned_at: learned.toISOString(),
        consolidated_from: [],
        consolidated_at: null,
        synthesized_from: members.slice(),
        synthesized_at: now.toISOString(),
        synthesis_confidence: confidence,
        needs_review: confidence < 0.8,
        reason: `Synthesized from ${rowsOf.length} memories by ${ctx.synthesizer.model}`,
        detail: {
          model: ctx.synthesizer.model,
          category: synthesis.category,
          patterns: synthesis.patterns,
          best_practices: synthesis.best_practices,
          warnings: synthesis.warnings,
        },
      },
    });
  }
  checkAborted(ctx);
  const vectors = await ctx.embedder.embed(created.map((c) => c.text), ctx.signal);
  const withEmbeddings = created.map((c, k) => {
    const v = vectors[k];
    if (!v || v.length !== ctx.embedder.dimensions) {
      throw new EmbeddingDimensionError(ctx.embedder.dimensions, v?.length ?? 0, ctx.embedder.model);
    }
    return { row: c.row, embedding: v };
  });
  return withEmbeddings;
}

/** Source-id lists of the consolidated memories this job created (the merged clusters). */
async function mergedClusters(ctx: PhaseContext): Promise<string[][]> {
  const found = await queryRows<{ consolidated_from: string[] | string }>(ctx.db.orm,
    sql`SELECT t.consolidated_from::text AS consolidated_from FROM memcons.task_memories t
        JOIN memcons.consolidation_changes c ON c.memory_id = t.id
        WHERE c.consolidation_job_id = ${ctx.jobId}::uuid AND c.operation = 'merge'
          AND c.previous_state IS NULL AND cardinality(t.consolidated_from) >= 3
        ORDER BY t.id`,
  );
  return found.map((r) => parseUuidArray(String(r.consolidated_from)));
}

async function summarizedKeys(ctx: PhaseContext): Promise<Set<string>> {
  const found = await queryRows<{ ids: string }>(ctx.db.orm,
    sql`SELECT (new_state->'synthesized_from')::text AS ids FROM memcons.consolidation_changes
        WHERE consolidation_job_id = ${ctx.jobId}::uuid AND operation = 'summarize'`,
  );
  return new Set(found.map((r) => clusterKey(JSON.parse(r.ids) as string[])));
}

function clusterKey(ids: readonly string[]): string {
  return [...ids].sort().join(",");
}

function parseUuidArray(text: string): string[] {
  const inner = text.replace(/^\{|\}$/g, "");
  return inner.length === 0 ? [] : inner.split(",");
}
