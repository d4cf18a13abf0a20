import { describe, expect, it } from "vitest";
import { pagesOfConnectedRows } from "../src/detect/guard.js";

describe("guard pages", () => {
  it("keeps every connected group of rows in one page, packs small groups together and lists each pair once", () => {
    const edges: Array<[number, number]> = [[0, 1], [1, 2], [3, 4], [5, 6], [7, 8], [8, 9], [9, 10], [10, 11], [11, 12], [14, 20]];
    const pairs = edges.map(([i, j]) => ({ i, j, similarity: 0.95 }));
    const pages = pagesOfConnectedRows(21, pairs, 4);
    // {0,1,2} fits with nothing else of size 2 → {3,4} starts a page; {7..12} (6 rows) is a page of its own.
    expect(pages.map((p) => p.rows)).toEqual([[0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10, 11, 12], [14, 20]]);
    expect(pages.flatMap((p) => p.pairs).sort((a, b) => a - b)).toEqual(edges.map((_, k) => k));
    for (const page of pages) {
      for (const k of page.pairs) {
        const pair = pairs[k] as { i: number; j: number };
        expect(page.rows).toContain(pair.i);
        expect(page.rows).toContain(pair.j);
      }
    }
    expect(pagesOfConnectedRows(5, [], 4)).toEqual([]);
  });
});
