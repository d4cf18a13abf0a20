import type { TaskMemory } from "@memcons/models";
import { randomUUID } from "node:crypto";
import { type PhaseContext, checkAborted, sharedType } from "../phase-context.js";
import type { MemoryRow, NewMemoryJson } from "../store.js";
import { unionInOrder } from "../text.js";

/** A synthesis memory to create, with the text to embed. */
export interface SynthesisDraft {
  row: NewMemoryJson;
  text: string;
  /** The memory type every member shares (null when they differ). */
  sourceType: string | null;
}

/** Synthesizes the memory of one cluster from its member rows (in `members` order); null below 3 rows. */
export async function synthesizeCluster(
  ctx: PhaseContext,
  members: readonly string[],
  rowsOf: readonly MemoryRow[],
): Promise<SynthesisDraft | null> {
  if (rowsOf.length < 3) return null;
  const memories: TaskMemory[] = rowsOf.map((r) => ({ ...r, contextEmbedding: null, embeddingModel: null }));
  const synthesis = await ctx.synthesizer.synthesize(memories, ctx.signal);
  const now = ctx.now();
  const confidence = Math.max(0, Math.min(1, Math.round(synthesis.confidence * 1000) / 1000));
  const learned = rowsOf.map((r) => r.learnedAt).sort((a, b) => b.getTime() - a.getTime())[0] as Date;
  return {
    text: synthesis.content,
    sourceType: sharedType(rowsOf.map((r) => r.memoryType)),
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
  };
}

/** The key of a cluster whatever the order of its members. */
export function clusterKey(ids: readonly string[]): string {
  return [...ids].sort().join(",");
}

interface AheadEntry {
  /** The version each member has once merged; the draft holds only while they still do. */
  versions: ReadonlyMap<string, number>;
  draft: Promise<SynthesisDraft | null>;
}

/**
 * Syntheses of merged clusters, computed one at a time while the merge phase is still writing (its rows are
 * then in memory and this process mostly waits on the server), and handed to the summarize phase, which
 * uses a draft only when every member still has the version the merge gave it.
 */
export class SynthesisAhead {
  private readonly entries = new Map<string, AheadEntry>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: PhaseContext) {}

  /** Queues the synthesis of a merged cluster from its rows as the merge left them. */
  add(members: readonly string[], mergedRows: readonly MemoryRow[]): void {
    const draft = this.queue.then(() => {
      checkAborted(this.ctx);
      return synthesizeCluster(this.ctx, members, mergedRows);
    });
    // A failure is not this phase's: summarize synthesizes the cluster again and reports it there.
    const settled = draft.catch(() => null);
    this.queue = settled;
    this.entries.set(clusterKey(members), { versions: new Map(mergedRows.map((r) => [r.id, r.version])), draft: settled });
  }

  /** The draft queued for a cluster, if any, and the member versions it was made from; forgets it. */
  take(members: readonly string[]): AheadEntry | undefined {
    const key = clusterKey(members);
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return entry;
  }
}
