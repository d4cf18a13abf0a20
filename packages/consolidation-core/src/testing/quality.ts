/** Pairwise clustering scores against ground truth. */
export interface PairwiseScores {
  precision: number;
  recall: number;
  f1: number;
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
}

/** Pairwise precision, recall and F1 of predicted cluster ids against true labels (same index = same item). */
export function pairwiseScores(truth: readonly number[], predicted: readonly number[]): PairwiseScores {
  const pairsWithin = (groups: Map<string, number>) => {
    let total = 0;
    for (const size of groups.values()) total += (size * (size - 1)) / 2;
    return total;
  };
  const count = (keys: string[]) => {
    const groups = new Map<string, number>();
    for (const k of keys) groups.set(k, (groups.get(k) ?? 0) + 1);
    return groups;
  };
  const truePairs = pairsWithin(count(truth.map(String)));
  const predictedPairs = pairsWithin(count(predicted.map(String)));
  const correctPairs = pairsWithin(count(truth.map((t, i) => `${t}:${predicted[i]}`)));
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePairs, predictedPairs, correctPairs };
}
