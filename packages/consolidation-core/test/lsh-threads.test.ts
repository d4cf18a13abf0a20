// The threaded pair search runs the worker script the package ships, so this test uses the built package.
import { describe, expect, it } from "vitest";
import { lshSimilarPairsAsync, type VectorSet } from "../dist/index.js";
import { lshSimilarPairs } from "../src/index.js";
import { ValidationError } from "@memcons/models";

/** `n` unit rows in three groups; every fifth row is a slightly perturbed copy of the row before it. */
function nearDuplicateSet(n: number, dims: number): VectorSet {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const vectors = new Float32Array(n * dims);
  const groups = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    groups[i] = i % 3;
    const source = i % 5 === 0 && i > 0 ? i - 1 : -1;
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const v = source >= 0 ? (vectors[source * dims + d] as number) + (random() - 0.5) * 0.05 : random() - 0.5;
      vectors[i * dims + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dims; d++) vectors[i * dims + d] = (vectors[i * dims + d] as number) / Math.sqrt(norm);
  }
  return { vectors, dims, n, groups };
}

describe("LSH pair search on worker threads (built package)", () => {
  const set = nearDuplicateSet(24_000, 64);

  it("finds exactly the pairs of the one-thread search, with every thread scanning", async () => {
    const single = lshSimilarPairs(set, 0.9);
    expect(single.stats.threads).toBe(1);
    expect(single.pairs.length).toBeGreaterThan(1_000);
    for (const threads of [2, 3]) {
      const threaded = await lshSimilarPairsAsync(set, 0.9, { threads });
      expect(threaded.stats.threads).toBe(threads);
      expect(threaded.pairs).toEqual(single.pairs);
      expect({ ...threaded.stats, threads: 1 }).toEqual(single.stats);
    }
  }, 120_000);

  it("uses threads by default from 20,000 rows and stays on the calling thread below", async () => {
    const large = await lshSimilarPairsAsync(set, 0.9);
    expect(large.stats.threads).toBeGreaterThanOrEqual(Math.min(2, (await import("node:os")).availableParallelism()));
    const small = await lshSimilarPairsAsync({ ...set, n: 19_999 }, 0.9);
    expect(small.stats.threads).toBe(1);
  }, 120_000);

  it("refuses a thread count that is not a positive integer", async () => {
    for (const threads of [0, -1, 1.5]) {
      await expect(lshSimilarPairsAsync(set, 0.9, { threads })).rejects.toBeInstanceOf(ValidationError);
      // Also on a set too small to use threads at all.
      await expect(lshSimilarPairsAsync({ ...set, n: 5_000 }, 0.9, { threads })).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
