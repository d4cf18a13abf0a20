import { ValidationError } from "@memcons/models";
import { describe, expect, it } from "vitest";
import { calibrateThresholds, createHashingEmbedder, type LabelledPair } from "../src/index.js";

const PAIRS: LabelledPair[] = [
  { a: "Fixed the login timeout by awaiting the commit.", b: "Fixed the login timeout by awaiting the commit!", same: true },
  { a: "It isn't a good idea to read the whole file.", b: "It is not a good idea to read the whole file.", same: true },
  { a: "Two workers failed after the lease expired.", b: "2 workers failed after the lease expired.", same: true },
  { a: "Chose Postgres full text search for the catalog.", b: "Picked Elasticsearch to index the product catalog.", same: true },
  { a: "Use port 5432 for the test database.", b: "Use port 5433 for the test database.", same: false },
  { a: "Fixed the login timeout in the auth service.", b: "Archived stale reports in the billing service.", same: false },
  { a: "The cache warmer reads the sitemap.", b: "The cache warmer reads the sitemap on start.", same: false },
];

describe("calibrateThresholds", () => {
  it("scores precision, recall and F1 per threshold with the guard and picks the thresholds", async () => {
    const result = await calibrateThresholds(createHashingEmbedder({ version: 2 }), PAIRS, { precision: 0.98, reviewPrecision: 0.5 });
    expect(result).toMatchObject({ embedder: "hashing-v2-256", pairs: 7, positives: 4, guard_stopped: 1 });
    expect(result.scores.map((s) => s.threshold)).toEqual(Array.from({ length: 50 }, (_, i) => (50 + i) / 100));
    const at99 = result.scores.at(-1);
    // The three normalizable paraphrases are identical under v2; the port pair is stopped by the guard.
    expect(at99).toMatchObject({ precision: 1, recall: 0.75, merged: 3 });
    expect(result.similarity_threshold).not.toBeNull();
    const chosen = result.scores.find((s) => s.threshold === result.similarity_threshold);
    expect(chosen?.precision).toBeGreaterThanOrEqual(0.98);
    // Just below the chosen threshold precision drops under the target (the sitemap pair merges there).
    const below = result.scores[result.scores.indexOf(chosen as (typeof result.scores)[number]) - 1];
    if (below) expect(below.precision).toBeLessThan(0.98);
    expect(result.review_threshold === null || (result.review_threshold as number) < (result.similarity_threshold as number)).toBe(true);
    for (const s of result.scores) expect(s.f1).toBeCloseTo(s.precision + s.recall === 0 ? 0 : (2 * s.precision * s.recall) / (s.precision + s.recall), 3);
  });

  it("without the guard merges the contradicting pair", async () => {
    const guarded = await calibrateThresholds(createHashingEmbedder({ version: 2 }), PAIRS, { thresholds: [0.5] });
    const unguarded = await calibrateThresholds(createHashingEmbedder({ version: 2 }), PAIRS, { thresholds: [0.5], guard: false });
    expect(unguarded.scores[0]?.merged).toBe((guarded.scores[0]?.merged ?? 0) + 1);
    expect(unguarded.guard_stopped).toBe(0);
  });

  it("rejects an empty pair list and precisions outside (0, 1]", async () => {
    const embedder = createHashingEmbedder();
    await expect(calibrateThresholds(embedder, [])).rejects.toBeInstanceOf(ValidationError);
    await expect(calibrateThresholds(embedder, PAIRS, { precision: 1.5 })).rejects.toBeInstanceOf(ValidationError);
    await expect(calibrateThresholds(embedder, PAIRS, { reviewPrecision: 0 })).rejects.toBeInstanceOf(ValidationError);
  });
});
