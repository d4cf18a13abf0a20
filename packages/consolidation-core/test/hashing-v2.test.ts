import { ValidationError } from "@memcons/models";
import { describe, expect, it } from "vitest";
import { cosineSimilarity, createHashingEmbedder, normalizedStems, parseHashingModel } from "../src/index.js";

const v2 = createHashingEmbedder({ version: 2 });
const v1 = createHashingEmbedder({ version: 1 });
const similarity = async (embedder: typeof v2, a: string, b: string) => {
  const [x, y] = await embedder.embed([a, b]);
  return cosineSimilarity(x as Float32Array, y as Float32Array);
};

describe("hashing-v2 embedder", () => {
  it("names its model by version and dimension; v1 and v2 stay selectable, v3 is the default", () => {
    expect(v2.model).toBe("hashing-v2-256");
    expect(v1.model).toBe("hashing-v1-256");
    expect(createHashingEmbedder().model).toBe("hashing-v3-256");
    expect(createHashingEmbedder({ version: 2, dimensions: 64 }).model).toBe("hashing-v2-64");
    expect(parseHashingModel("hashing-v2-512")).toEqual({ version: 2, dimensions: 512 });
    expect(parseHashingModel("text-embedding-3-small")).toBeNull();
    expect(() => createHashingEmbedder({ version: 4 as 2 })).toThrow(ValidationError);
  });

  it("is deterministic and returns unit vectors", async () => {
    const [a, b] = await v2.embed(["Fixed the login timeout.", "Fixed the login timeout."]);
    expect(Array.from(a as Float32Array)).toEqual(Array.from(b as Float32Array));
    expect(Math.hypot(...(a as Float32Array))).toBeCloseTo(1, 5);
  });

  it("normalizes contractions, number words, punctuation and inflections", () => {
    expect(normalizedStems("it 's not a good idea .")).toEqual(normalizedStems("It is not a good idea!"));
    expect(normalizedStems("It isn't a good idea")).toEqual(normalizedStems("it is not a good idea"));
    expect(normalizedStems("2 french journalists killed in mali")).toEqual(normalizedStems("two French journalists killed in Mali"));
    expect(normalizedStems("The workers were retrying")).toEqual(normalizedStems("the worker retries"));
    expect(normalizedStems("Edit src/app.ts and v1.2.3")).toEqual(["edit", "src/app.ts", "v1.2.3"]);
  });

  it("scores paraphrases that v1 keeps apart as near-identical", async () => {
    for (const [a, b] of [
      ["it 's not a good idea .", "it is not a good idea ."],
      ["2 french journalists killed in mali", "two french journalists killed in mali"],
      ["Retrying the failed uploads fixed it.", "Retried the failed upload, which fixed it."],
    ] as const) {
      const after = await similarity(v2, a, b);
      expect(after).toBeGreaterThanOrEqual(0.99);
      expect(after).toBeGreaterThan(await similarity(v1, a, b));
    }
  });

  it("keeps unrelated texts far apart", async () => {
    expect(await similarity(v2, "Fixed the login timeout in the auth service.", "Chose PostgreSQL full text search for the catalog.")).toBeLessThan(0.3);
  });
});
