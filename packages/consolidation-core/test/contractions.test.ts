import { describe, expect, it } from "vitest";
import { expandContractions } from "../src/guard/tokens.js";

describe("expandContractions", () => {
  it("expands negative contractions whatever their case or apostrophe", () => {
    expect(expandContractions("Don't retry. It won’t help; you CANNOT win and can't stop.")).toBe(
      "Do not retry. It will not help; you can not win and can not stop.",
    );
  });

  it("returns a text without contractions unchanged, apostrophes of possessives included", () => {
    const plain = "Keep the worker's lease short and cannonball the cache.";
    expect(expandContractions(plain)).toBe(plain);
    expect(expandContractions("no apostrophe here")).toBe("no apostrophe here");
  });
});
