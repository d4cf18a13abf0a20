import { queryRows, uuidArray } from "@memcons/models";
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
import { type SynthesisAhead, type SynthesisDraft, clusterKey, synthesizeCluster } from "./synthesis.js";

/** Counters of the summarize phase. */
export interface SummarizeStats {
  summaries_created: number;
  needs_review: number;
  /** Clusters that already had a synthesis from this job (resumed run). */
  already_done: number;
  /** Syntheses computed while the merge phase wrote, still valid when used. */
  synthesized_ahead: number;
}

/** Creates the synthesis memories of clusters of 3+ members; idempotent per cluster within a job. */
export async function runSummarize(
  ctx: PhaseContext,
  detectedClusters: ReadonlyArray<readonly string[]> | null,
  ahead: SynthesisAhead | null = null,
): Promise<SummarizeStats> {
  const clusters = (detectedClusters ?? (await mergedClusters(ctx))).filter(
    (members) => members.length >= Math.max(3, ctx.options.min_cluster_size),
  );
  const summarized = await summarizedKeys(ctx);
  const stats: SummarizeStats = { summaries_created: 0, needs_review: 0, already_done: 0, synthesized_ahead: 0 };
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
      const created = await synthesizeBatch(ctx, batch, ahead, stats);
      await writer.slot();
      checkAborted(ctx);
      writer.start(async () => {
        await ctx.db.orm.transaction(async (tx) => {
          await assertHeld(ctx, tx);
          const n = await insertCreatedMemories(tx, writeScope(ctx), "summarize", created, ctx.now());
          await addToCounter(tx, ctx.jobId, "summaries_created", n);
        });
        for (const c of created) if (c.sourceType !== null) ctx.sourceTypes.set(c.row.id, c.sourceType);
        stats.summaries_created += created.length;
        stats.needs_review += created.filter((c) => c.row.needs_review).length;
        done += batch.length;
        await ctx.progress("summarize", Math.min(1, done / todo.length));
      });
    }
  });
  return stats;
}

/** Synthesizes one batch of clusters (using the drafts made ahead whose members are unchanged) and embeds the syntheses. */
async function synthesizeBatch(
  ctx: PhaseContext,
  batch: ReadonlyArray<readonly string[]>,
  ahead: SynthesisAhead | null,
  stats: SummarizeStats,
): Promise<Array<{ row: NewMemoryJson; embedding: Float32Array; sourceType: string | null }>> {
  const drafts = new Map<readonly string[], SynthesisDraft | null>();
  const entries = batch.map((members) => ({ members, entry: ahead?.take(members) }));
  const withDraft = entries.filter((e) => e.entry !== undefined);
  const current = await memberVersions(ctx, withDraft.flatMap((e) => e.members));
  for (const { members, entry } of withDraft) {
    const draft = await (entry as { draft: Promise<SynthesisDraft | null> }).draft;
    const unchanged = members.every((id) => current.get(id) === entry?.versions.get(id));
    if (draft && unchanged) {
      drafts.set(members, draft);
      stats.synthesized_ahead++;
    }
  }
  const rest = batch.filter((members) => !drafts.has(members));
  const loaded = await loadMemories(ctx.db.orm, rest.flat(), false);
  for (const members of rest) {
    checkAborted(ctx);
    const rowsOf = members.map((id) => loaded.get(id)).filter((r): r is MemoryRow => r !== undefined);
    drafts.set(members, await synthesizeCluster(ctx, members, rowsOf));
  }
  const created = batch.map((members) => drafts.get(members)).filter((d): d is SynthesisDraft => d != null);
  checkAborted(ctx);
  const vectors = await ctx.embedder.embed(created.map((c) => c.text), ctx.signal);
  return created.map((c, k) => {
    const v = vectors[k];
    if (!v || v.length !== ctx.embedder.dimensions) {
      throw new EmbeddingDimensionError(ctx.embedder.dimensions, v?.length ?? 0, ctx.embedder.model);
    }
    return { row: c.row, embedding: v, sourceType: c.sourceType };
  });
}

/** The current version of each of these memories. */
async function memberVersions(ctx: PhaseContext, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: string; version: number }>(ctx.db.orm,
    sql`SELECT id, version FROM memcons.task_memories WHERE id = ANY(${uuidArray(ids)})`,
  );
  return new Map(rows.map((r) => [r.id, Number(r.version)]));
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

function parseUuidArray(text: string): string[] {
  const inner = text.replace(/^\{|\}$/g, "");
  return inner.length === 0 ? [] : inner.split(",");
}
