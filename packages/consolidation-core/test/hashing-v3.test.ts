import { describe, expect, it } from "vitest";
import { cosineSimilarity, createHashingEmbedder, parseHashingModel } from "../src/index.js";

const v3 = createHashingEmbedder({ version: 3 });
const v2 = createHashingEmbedder({ version: 2 });
const similarity = async (embedder: typeof v3, a: string, b: string) => {
  const [x, y] = await embedder.embed([a, b]);
  return cosineSimilarity(x as Float32Array, y as Float32Array);
};

describe("hashing-v3 embedder", () => {
  it("is the default hashing model and parses back", () => {
    expect(v3.model).toBe("hashing-v3-256");
    expect(createHashingEmbedder().model).toBe("hashing-v3-256");
    expect(parseHashingModel("hashing-v3-512")).toEqual({ version: 3, dimensions: 512 });
  });

  it("is deterministic and returns unit vectors", async () => {
    const [a, b] = await v3.embed(["The man is riding a horse.", "The man is riding a horse."]);
    expect(Array.from(a as Float32Array)).toEqual(Array.from(b as Float32Array));
    expect(Math.hypot(...(a as Float32Array))).toBeCloseTo(1, 5);
  });

  it("reads irregular forms, synonyms and passive voice as the same words", async () => {
    for (const [a, b] of [
      ["A man is riding a horse.", "A horse is being ridden by a man."],
      ["A man is slicing an onion.", "A man is cutting an onion."],
      ["The children are playing.", "The kids are playing."],
      ["Fixed the flaky upload test.", "Resolved the flaky upload test."],
      ["Figured out that the lease expired.", "Learned that the lease expired."],
    ] as const) {
      const after = await similarity(v3, a, b);
      expect(after).toBeGreaterThanOrEqual(0.99);
      expect(after).toBeGreaterThan(await similarity(v2, a, b));
    }
  });

  it("scores a word and the more general word it is a kind of as close, but not the same", async () => {
    const general = await similarity(v3, "A man is playing the flute.", "A person is playing the flute.");
    expect(general).toBeGreaterThan(0.9);
    expect(general).toBeLessThan(0.99);
    expect(general).toBeGreaterThan(await similarity(v2, "A man is playing the flute.", "A person is playing the flute."));
  });

  it("keeps unrelated texts far apart", async () => {
    expect(await similarity(v3, "Fixed the login timeout in the auth service.", "Chose PostgreSQL full text search for the catalog.")).toBeLessThan(0.3);
  });
});
