import { ValidationError } from "@memcons/models";
import { describe, expect, it } from "vitest";
import {
  completeLinkageClusters,
  cosineSimilarity,
  createHashingEmbedder,
  exhaustiveSimilarPairs,
  lshSimilarPairs,
  lshSimilarPairsAsync,
  memoryText,
  mergeDistinctSentences,
  normalizeSentence,
  splitSentences,
} from "../src/index.js";
import { generateMemories, pairwiseScores } from "../src/testing/index.js";

describe("text helpers", () => {
  it("builds the embedded text from summary, goal, result and feedback", () => {
    expect(memoryText({ executionSummary: " Fixed it. ", goal: null, result: "Works.", feedback: "" })).toBe("Fixed it.\nWorks.");
  });

  it("splits and normalizes sentences without breaking file paths", () => {
    expect(splitSentences("Edited src/app.ts today. Tests pass!\nNext step")).toEqual(["Edited src/app.ts today.", "Tests pass!", "Next step"]);
    expect(normalizeSentence("  Tests   PASS!! ")).toBe("tests pass");
  });

  it("merges texts keeping every distinct sentence once, in first-seen order", () => {
    const merged = mergeDistinctSentences(["A one. B two.", "b TWO! C three", null]);
    expect(merged).toBe("A one. B two. C three.");
    expect(splitSentences(merged).map(normalizeSentence)).toEqual(["a one", "b two", "c three"]);
  });
});

describe("hashing embedder", () => {
  const embedder = createHashingEmbedder();

  it("is deterministic, 256-dimensional and L2-normalized", async () => {
    const [a, b] = await embedder.embed(["Fixed the login timeout", "Fixed the login timeout"]);
    expect(a).toHaveLength(256);
    expect(Array.from(a as Float32Array)).toEqual(Array.from(b as Float32Array));
    const norm = Math.sqrt((a as Float32Array).reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(embedder.model).toBe("hashing-v3-256");
  });

  it("scores paraphrases far above unrelated memories", async () => {
    const [p1, p2, other] = await embedder.embed([
      "Fixed the login timeout in the session service. The root cause was a missing await before the commit.",
      "The root cause was a missing await before the commit. Resolved the login timeout in the session service.",
      "Decided to use PostgreSQL full text search for the catalog instead of Elasticsearch.",
    ]);
    expect(cosineSimilarity(p1 as Float32Array, p2 as Float32Array)).toBeGreaterThan(0.9);
    expect(cosineSimilarity(p1 as Float32Array, other as Float32Array)).toBeLessThan(0.5);
  });

  it("accepts other dimensions and rejects absurd ones", async () => {
    const small = createHashingEmbedder({ dimensions: 64 });
    expect((await small.embed(["x"]))[0]).toHaveLength(64);
    expect(() => createHashingEmbedder({ dimensions: 3 })).toThrow(ValidationError);
  });

  it("computes cosine similarity of plain arrays", () => {
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 1], [2, 2])).toBeCloseTo(1);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
  });
});

describe("detection", () => {
  it("LSH finds at least 99% of the pairs exhaustive search finds, deterministically, and clusters precisely", async () => {
    const memories = generateMemories({ count: 4000, seed: 21 });
    const embedder = createHashingEmbedder();
    const dims = embedder.dimensions;
    const vectors = new Float32Array(memories.length * dims);
    (await embedder.embed(memories.map(memoryText))).forEach((v, i) => {
      vectors.set(v, i * dims);
    });
    const types = [...new Set(memories.map((m) => m.memoryType))];
    const set = { vectors, dims, n: memories.length, groups: Int32Array.from(memories, (m) => types.indexOf(m.memoryType)) };
    const exact = exhaustiveSimilarPairs(set, 0.9);
    const first = lshSimilarPairs(set, 0.9);
    const key = (p: { i: number; j: number }) => `${p.i}:${p.j}`;
    const found = new Set(first.pairs.map(key));
    const recall = exact.filter((p) => found.has(key(p))).length / exact.length;
    expect(exact.length).toBeGreaterThan(1000);
    expect(recall).toBeGreaterThanOrEqual(0.99);
    expect(first.pairs.every((p) => p.similarity >= 0.9)).toBe(true);
    // Sub-quadratic: far fewer exact checks than all pairs.
    expect(first.stats.verifiedPairs).toBeLessThan((memories.length * memories.length) / 2 / 20);
    expect(lshSimilarPairs(set, 0.9).pairs).toEqual(first.pairs);
    // Clustering quality against the generator's labels (the quality benchmark does this through the database).
    const predicted = memories.map((_, i) => -1 - i);
    completeLinkageClusters(memories.length, first.pairs, 2).forEach((c, k) => {
      for (const i of c.members) predicted[i] = k;
    });
    const scores = pairwiseScores(memories.map((m) => m.label), predicted);
    expect(scores.precision).toBeGreaterThanOrEqual(0.98);
    expect(scores.recall).toBeGreaterThanOrEqual(0.9);
    expect((await lshSimilarPairsAsync(set, 0.9)).pairs).toEqual(first.pairs);
  });

  it("LSH stays selective when every row shares a strong common direction, and finds the near-duplicates", () => {
    // Rows of one group all lean towards their group's direction (cosine ~0.65 between unrelated rows), as memories
    // written from one template do; only the planted pairs are above 0.9.
    const dims = 64;
    const n = 3000;
    const random = mulberry(7);
    const unit = (v: Float32Array) => {
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const directions = [0, 1].map(() => unit(Float32Array.from({ length: dims }, gaussian)));
    const vectors = new Float32Array(n * dims);
    const groups = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      groups[i] = i % 2;
      const base = directions[groups[i] as number] as Float32Array;
      const noise = unit(Float32Array.from({ length: dims }, gaussian));
      // Every tenth row is a near-copy of the row two before it (same group).
      const source = i % 10 === 9 ? vectors.subarray((i - 2) * dims, (i - 1) * dims) : null;
      const row = source
        ? unit(Float32Array.from(source, (x, d) => x + 0.12 * (noise[d] as number)))
        : unit(Float32Array.from(base, (x, d) => 0.8 * x + 0.6 * (noise[d] as number)));
      vectors.set(row, i * dims);
    }
    const set = { vectors, dims, n, groups };
    const exact = exhaustiveSimilarPairs(set, 0.9);
    const found = lshSimilarPairs(set, 0.9);
    const key = (p: { i: number; j: number }) => `${p.i}:${p.j}`;
    const got = new Set(found.pairs.map(key));
    expect(exact.length).toBeGreaterThanOrEqual(290);
    expect(exact.filter((p) => got.has(key(p))).length / exact.length).toBeGreaterThanOrEqual(0.99);
    expect(found.stats.bucketPairs).toBeLessThan((n * n) / 2 / 20);
  });

  it("refuses a table key wider than 16 bits and no tables", () => {
    const set = { vectors: new Float32Array(8), dims: 4, n: 2, groups: null };
    expect(() => lshSimilarPairs(set, 0.9, { bitsPerTable: 20 })).toThrow(ValidationError);
    expect(() => lshSimilarPairs(set, 0.9, { tables: 0 })).toThrow(ValidationError);
  });

  it("complete linkage never chains: A~B and B~C but A≁C stay apart", () => {
    const pairs = [
      { i: 0, j: 1, similarity: 0.95 },
      { i: 1, j: 2, similarity: 0.93 },
      { i: 3, j: 4, similarity: 0.91 },
      { i: 3, j: 5, similarity: 0.92 },
      { i: 4, j: 5, similarity: 0.94 },
    ];
    const clusters = completeLinkageClusters(6, pairs, 2);
    expect(clusters.map((c) => c.members)).toEqual([[0, 1], [3, 4, 5]]);
    expect(clusters[1]?.minSimilarity).toBeCloseTo(0.91);
    expect(completeLinkageClusters(6, pairs, 3).map((c) => c.members)).toEqual([[3, 4, 5]]);
  });
});

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
