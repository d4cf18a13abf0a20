import type { Logger, Phase, TaskMemory } from "@memcons/models";
import type { Judge } from "./review/judge.js";

/** Turns texts into fixed-length vectors. */
export interface Embedder {
  /** Name of the model, recorded in job metrics. */
  readonly model: string;
  /** Length of every vector this embedder returns. */
  readonly dimensions: number;
  /**
   * Save each embedding as soon as it is computed (one extra row write each), so a job that fails or is
   * cancelled never pays for it twice. Default false: embeddings are saved with the job's own row writes.
   */
  readonly storeImmediately?: boolean;
  /** Embeds each text; the result has one vector per input, in order. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** What a synthesizer distils from a cluster of memories. */
export interface SynthesisResult {
  content: string;
  /** 0..1; below 0.80 the synthesis is flagged `needs_review`. */
  confidence: number;
  category: string;
  tags: string[];
  patterns: string[];
  best_practices: string[];
  warnings: string[];
}

/** Writes a synthesis memory from a cluster of similar memories. */
export interface Synthesizer {
  readonly model: string;
  synthesize(memories: readonly TaskMemory[], signal?: AbortSignal): Promise<SynthesisResult>;
}

/** Progress of a running job, reported after each step. */
export interface ConsolidationProgress {
  jobId: string;
  phase: Phase;
  /** Overall progress of the job, 0..1. */
  progress: number;
  message?: string;
}

/** Collaborators and hooks of runConsolidation; every field is optional. */
export interface RunConsolidationDeps {
  /** Embedder for memories without an embedding (default: the hashing embedder). */
  embedder?: Embedder;
  /** Synthesizer for clusters of 3+ (default: the extractive synthesizer). */
  synthesizer?: Synthesizer;
  /** Decides review proposals during the job (default: none; they wait for a person). */
  judge?: Judge;
  /** Cancels the job between clusters (cancel request or timeout). */
  signal?: AbortSignal;
  /** Called after each step with the overall progress. */
  onProgress?: (p: ConsolidationProgress) => void | Promise<void>;
  /** Clock (default: `new Date()`); used for every timestamp the job writes. */
  now?: () => Date;
  logger?: Logger;
  /** Recorded as `changed_by` on audit rows (default: the job's `triggered_by`). */
  actor?: string;
  /** Clusters merged per transaction (default 200). */
  batchSize?: number;
  /**
   * Most threads the job computes with while it looks for duplicates among 20,000 memories or more, the calling one
   * included (default: one per core, at most 4; 1 starts none). The result is the same whatever the count.
   */
  threads?: number;
  /** The worker holding the job's lease (`locked_by`): every write first checks that it still holds an
   *  unexpired lease and throws LeaseNotHeldError otherwise. Omitted: no check. */
  holder?: string;
}

/** What a job did. */
export interface ConsolidationResult {
  jobId: string;
  memories_merged: number;
  memories_archived: number;
  memories_promoted: number;
  summaries_created: number;
  clusters: number;
  phases_completed: Phase[];
  metrics: Record<string, unknown>;
  cancelled: boolean;
}

/** What a rollback did. */
export interface RollbackResult {
  rollback_id: string;
  memories_restored: number;
  memories_deleted: number;
  warnings: string[];
  /** With `force`: memories left as they are because they changed after the job, and what changed. */
  skipped: Array<{ memory_id: string; changed: string[] }>;
}
