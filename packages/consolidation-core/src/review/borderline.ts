import type { PairSimilarity } from "@memcons/models";
import type { PhaseContext } from "../phase-context.js";
import { type Cluster, completeLinkageClusters } from "../detect/clusters.js";
import { type StoppedPair, separateContradictions } from "../detect/guard.js";
import { exhaustiveRowPairs, lshRowPairsAsync } from "../detect/lsh.js";
import { rowDot, selectRows } from "../embedding/rows.js";
import { describeContradiction } from "../guard/contradiction.js";
import type { Candidates } from "../phases/detect.js";

/** A set of candidates the engine will not merge on its own; becomes a review proposal. */
export interface ProposalCandidate {
  /** Candidate indices, ascending. */
  members: number[];
  /** `borderline`, or the contradiction guard's reason. */
  reason: string;
}

const EXHAUSTIVE_MAX = 1000;

/** The pairs the contradiction guard kept apart, as proposals whose reason is the guard's. */
export function guardProposals(candidates: Candidates, stopped: readonly StoppedPair[]): ProposalCandidate[] {
  const index = new Map(candidates.ids.map((id, i) => [id, i]));
  return stopped.flatMap((pair) => {
    const [a, b] = [index.get(pair.ids[0]), index.get(pair.ids[1])];
    if (a === undefined || b === undefined) return [];
    return [{ members: [Math.min(a, b), Math.max(a, b)], reason: describeContradiction(pair.reason) }];
  });
}

/**
 * Tight clusters (complete linkage) at `review_threshold` among the candidates no merge cluster took,
 * whose weakest pair lies below `similarity_threshold`: the borderline tier a person or judge decides.
 * Pairs the contradiction guard separates never join such a cluster.
 */
export async function findBorderlineClusters(
  ctx: PhaseContext,
  candidates: Candidates,
  merged: readonly Cluster[],
): Promise<ProposalCandidate[]> {
  const review = ctx.options.review_threshold;
  if (review === null || candidates.n < 2) return [];
  const taken = new Uint8Array(candidates.n);
  for (const cluster of merged) for (const m of cluster.members) taken[m] = 1;
  const rest: number[] = [];
  for (let i = 0; i < candidates.n; i++) if (taken[i] === 0) rest.push(i);
  if (rest.length < 2) return [];
  const typeIds = new Map<string, number>();
  const groups = ctx.options.allow_cross_type
    ? null
    : Int32Array.from(rest, (i) => {
        const type = candidates.types[i] as string;
        if (!typeIds.has(type)) typeIds.set(type, typeIds.size);
        return typeIds.get(type) as number;
      });
  const set = { rows: selectRows(candidates.vectors, rest), groups };
  const similar = rest.length <= EXHAUSTIVE_MAX ? exhaustiveRowPairs(set, review) : (await lshRowPairsAsync(set, review, { threads: ctx.threads })).pairs;
  const { kept } = await separateContradictions(
    ctx,
    rest.map((i) => candidates.ids[i] as string),
    similar,
  );
  return completeLinkageClusters(rest.length, kept, ctx.options.min_cluster_size)
    .filter((c) => c.minSimilarity < ctx.options.similarity_threshold)
    .map((c) => ({ members: c.members.map((k) => rest[k] as number), reason: "borderline" }));
}

/** Every pair of the members with its cosine similarity, by memory id. */
export function pairSimilarities(candidates: Candidates, members: readonly number[]): PairSimilarity[] {
  const pairs: PairSimilarity[] = [];
  for (let x = 0; x < members.length; x++) {
    for (let y = x + 1; y < members.length; y++) {
      const i = members[x] as number;
      const j = members[y] as number;
      pairs.push({
        a: candidates.ids[i] as string,
        b: candidates.ids[j] as string,
        similarity: Math.round(rowDot(candidates.vectors, i, j) * 10_000) / 10_000,
      });
    }
  }
  return pairs;
}
