import { ValidationError } from "@memcons/models";
import { EmbeddingDimensionError } from "./errors.js";
import { findContradiction } from "./guard/contradiction.js";
import type { Embedder } from "./types.js";

/** Two texts and whether they say the same thing (should be merged). */
export interface LabelledPair {
  a: string;
  b: string;
  same: boolean;
}

/** How the merge decision "similarity ≥ threshold and the guard lets it pass" scores at one threshold. */
export interface ThresholdScore {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** Pairs that would be merged. */
  merged: number;
}

/** Precision, recall and F1 of an embedder on labelled pairs, and the thresholds that reach a precision. */
export interface Calibration {
  embedder: string;
  pairs: number;
  positives: number;
  /** Pairs the contradiction guard keeps apart whatever their similarity. */
  guard_stopped: number;
  /** One score per threshold, ascending. */
  scores: ThresholdScore[];
  /** Lowest threshold from which on every threshold reaches the requested precision (null: none does). */
  similarity_threshold: number | null;
  /** Lowest threshold below similarity_threshold from which on precision reaches the review precision (null: none). */
  review_threshold: number | null;
}

/** Settings of calibrateThresholds. */
export interface CalibrateOptions {
  /** Precision the similarity threshold must reach (default 0.98). */
  precision?: number;
  /** Precision a borderline cluster worth a review must reach (default 0.5). */
  reviewPrecision?: number;
  /** Apply the contradiction guard as detect does (default true). */
  guard?: boolean;
  /** Thresholds to score (default 0.50, 0.51, …, 0.99). */
  thresholds?: readonly number[];
  signal?: AbortSignal;
}

const EMBED_BATCH = 256;

/** Cosine similarity of each pair under an embedder (vectors are unit length, so a dot product). */
export async function pairSimilarities(embedder: Embedder, pairs: readonly LabelledPair[], signal?: AbortSignal): Promise<Float64Array> {
  const out = new Float64Array(pairs.length);
  for (let start = 0; start < pairs.length; start += EMBED_BATCH) {
    const batch = pairs.slice(start, start + EMBED_BATCH);
    const vectors = await embedder.embed(batch.flatMap((p) => [p.a, p.b]), signal);
    batch.forEach((_, k) => {
      const a = vectors[2 * k];
      const b = vectors[2 * k + 1];
      if (!a || !b || a.length !== embedder.dimensions || b.length !== embedder.dimensions) {
        throw new EmbeddingDimensionError(embedder.dimensions, (a ?? b)?.length ?? 0, embedder.model);
      }
      let dot = 0;
      for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
      out[start + k] = dot;
    });
  }
  return out;
}

/** Scores the merge decision on labelled pairs at each threshold and picks the thresholds reaching the requested precisions. */
export async function calibrateThresholds(
  embedder: Embedder,
  pairs: readonly LabelledPair[],
  options: CalibrateOptions = {},
): Promise<Calibration> {
  const target = options.precision ?? 0.98;
  const reviewTarget = options.reviewPrecision ?? 0.5;
  for (const [name, value] of [["precision", target], ["reviewPrecision", reviewTarget]] as const) {
    if (!(value > 0 && value <= 1)) {
      throw new ValidationError(`${name} must be in (0, 1], got ${value}`, [{ path: name, message: "must be in (0, 1]" }]);
    }
  }
  if (pairs.length === 0) throw new ValidationError("no labelled pairs to calibrate on", [{ path: "pairs", message: "is empty" }]);
  const thresholds = [...(options.thresholds ?? Array.from({ length: 50 }, (_, i) => (50 + i) / 100))].sort((x, y) => x - y);
  const similarities = await pairSimilarities(embedder, pairs, options.signal);
  const stopped = pairs.map((p) => options.guard !== false && findContradiction(p.a, p.b) !== null);
  const positives = pairs.filter((p) => p.same).length;
  const scores = thresholds.map((threshold) => {
    let tp = 0;
    let fp = 0;
    pairs.forEach((p, i) => {
      if ((similarities[i] as number) < threshold || stopped[i]) return;
      if (p.same) tp++;
      else fp++;
    });
    const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
    const recall = positives === 0 ? 0 : tp / positives;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { threshold, precision: round(precision), recall: round(recall), f1: round(f1), merged: tp + fp };
  });
  const similarity = lowestHolding(scores, target, scores.length);
  const reviewEnd = similarity === null ? scores.length : scores.findIndex((s) => s.threshold === similarity);
  const review = lowestHolding(scores, reviewTarget, reviewEnd);
  return {
    embedder: embedder.model,
    pairs: pairs.length,
    positives,
    guard_stopped: stopped.filter(Boolean).length,
    scores,
    similarity_threshold: similarity,
    review_threshold: review,
  };
}

/** Lowest threshold among scores[0..end) from which on (up to end) precision stays at or above target, with something merged. */
function lowestHolding(scores: readonly ThresholdScore[], target: number, end: number): number | null {
  let found: number | null = null;
  for (let i = end - 1; i >= 0; i--) {
    const s = scores[i] as ThresholdScore;
    if (s.precision < target) break;
    if (s.merged > 0) found = s.threshold;
  }
  return found;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
