import { describe, expect, it } from "vitest";
import { project, projectRow } from "../src/detect/lsh-scan.js";
import { hyperplanes } from "../src/detect/lsh.js";
import { rowsFromMatrix } from "../src/embedding/rows.js";
import { mixedMatrix } from "./mixed-matrix.js";

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe("projecting a row onto the LSH hyperplanes", () => {
  it("gives every projection bit for bit as the plane-by-plane sum, for sparse, dense, signed-zero and NaN rows", () => {
    const dims = 256;
    const bits = 256;
    const random = seeded(11);
    const planes = hyperplanes(bits, dims, random, 1 / 8, false);
    const rows = 40;
    const vectors = mixedMatrix(rows, dims, random, 4);
    vectors[7 * dims + 3] = Number.NaN;
    const into = new Float64Array(bits);
    const scratch = { dims: new Int32Array(dims), values: new Float64Array(dims) };
    for (const form of ["dense", "sparse"] as const) {
      const stored = rowsFromMatrix(vectors, dims, rows, form);
      expect(stored.kind).toBe(form);
      let differing = 0;
      let nonzero = 0;
      for (let i = 0; i < rows; i++) {
        projectRow(stored, i, planes, into, scratch);
        for (let b = 0; b < bits; b++) {
          const expected = project(vectors, i * dims, planes, b);
          if (!Object.is(into[b], expected) && !(Number.isNaN(into[b]) && Number.isNaN(expected))) differing++;
          if (expected !== 0) nonzero++;
        }
      }
      expect(differing).toBe(0);
      expect(nonzero).toBeGreaterThan(rows * bits * 0.5);
    }
  });
});
