import type { SimilarPair } from "./lsh.js";

/** A tight cluster: row indices (ascending) where every pair is at least the threshold similar. */
export interface Cluster {
  members: number[];
  /** Lowest pairwise similarity inside the cluster. */
  minSimilarity: number;
  /** Mean pairwise similarity inside the cluster. */
  meanSimilarity: number;
}

/**
 * Complete-linkage clustering over the threshold graph: edges are taken from most to least similar,
 * and two clusters join only when every cross pair is an edge, so no chaining (A~B~C with A≁C).
 */
export function completeLinkageClusters(
  n: number,
  pairs: readonly SimilarPair[],
  minClusterSize: number,
): Cluster[] {
  const similarity = new Map<number, number>();
  for (const p of pairs) similarity.set(p.i * n + p.j, p.similarity);
  const edgeSim = (a: number, b: number) => similarity.get(a < b ? a * n + b : b * n + a);
  const ordered = [...pairs].sort((a, b) => b.similarity - a.similarity || a.i - b.i || a.j - b.j);
  const clusterOf = new Map<number, number[]>();
  const get = (x: number) => {
    let c = clusterOf.get(x);
    if (!c) {
      c = [x];
      clusterOf.set(x, c);
    }
    return c;
  };
  for (const { i, j } of ordered) {
    const a = get(i);
    const b = get(j);
    if (a === b) continue;
    let complete = true;
    outer: for (const x of a) {
      for (const y of b) {
        if (edgeSim(x, y) === undefined) {
          complete = false;
          break outer;
        }
      }
    }
    if (!complete) continue;
    const [big, small] = a.length >= b.length ? [a, b] : [b, a];
    for (const y of small) {
      big.push(y);
      clusterOf.set(y, big);
    }
  }
  const clusters: Cluster[] = [];
  const done = new Set<number[]>();
  for (const c of clusterOf.values()) {
    if (done.has(c)) continue;
    done.add(c);
    if (c.length < Math.max(2, minClusterSize)) continue;
    const members = [...c].sort((x, y) => x - y);
    let min = 1;
    let sum = 0;
    let count = 0;
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const s = edgeSim(members[x] as number, members[y] as number) ?? 0;
        min = Math.min(min, s);
        sum += s;
        count++;
      }
    }
    clusters.push({ members, minSimilarity: min, meanSimilarity: count > 0 ? sum / count : 1 });
  }
  clusters.sort((x, y) => (x.members[0] as number) - (y.members[0] as number));
  return clusters;
}

/** Keeps the clusters that still have at least `minClusterSize` members after `keep` filters them (a subset of a tight cluster stays tight). */
export function filterClusterMembers(cluster: Cluster, keep: (member: number) => boolean, minClusterSize: number): number[] | null {
  const members = cluster.members.filter(keep);
  return members.length >= Math.max(2, minClusterSize) ? members : null;
}
