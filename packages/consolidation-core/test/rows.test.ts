import { describe, expect, it } from "vitest";
import { createHashingEmbedder } from "../src/embedding/hashing.js";
import {
  rowDot,
  rowsFromMatrix,
  RowsBuilder,
  rowVector,
  type RowVectors,
  scatteredDot,
  scatterRow,
  selectRows,
  sharedRows,
} from "../src/embedding/rows.js";
import { seededRandom } from "../src/detect/random.js";
import { mixedMatrix } from "./mixed-matrix.js";

const DIMS = 64;

/** `n` rows of DIMS floats, most of them zeros (some signed zeros), every fifth row dense. */
function mixedRows(n: number, seed: number): Float32Array {
  return mixedMatrix(n, DIMS, seededRandom(seed), 5);
}

/** The dot product a plain loop over every dimension gives. */
function denseDot(matrix: Float32Array, i: number, j: number): number {
  let dot = 0;
  for (let d = 0; d < DIMS; d++) dot += (matrix[i * DIMS + d] as number) * (matrix[j * DIMS + d] as number);
  return dot;
}

function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

describe("row vectors, dense and sparse", () => {
  it("give every dot product exactly as a dense loop does, in either form", () => {
    const n = 60;
    const matrix = mixedRows(n, 3);
    matrix.fill(Number.NaN, 7 * DIMS, 8 * DIMS);
    for (const form of ["dense", "sparse"] as const) {
      const rows = rowsFromMatrix(matrix, DIMS, n, form);
      expect(rows.kind).toBe(form);
      let differing = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) if (!sameNumber(rowDot(rows, i, j), denseDot(matrix, i, j))) differing++;
      }
      expect(differing).toBe(0);
      expect(Number.isNaN(rowDot(rows, 7, 3))).toBe(true);
      if (rows.kind === "sparse") {
        // The pair search's way: one row spread out, then compared with every other.
        const scattered = new Float64Array(DIMS);
        let previous = -1;
        for (let i = 0; i < n; i++) {
          scatterRow(rows, i, scattered, previous);
          previous = i;
          for (let j = 0; j < n; j++) if (!sameNumber(scatteredDot(rows, scattered, j), denseDot(matrix, i, j))) differing++;
        }
        expect(differing).toBe(0);
      }
      for (let i = 0; i < n; i++) {
        const row = rowVector(rows, i);
        expect(row.every((v, d) => sameNumber(v, matrix[i * DIMS + d] as number))).toBe(true);
      }
    }
  });

  it("are stored sparse for hashing embeddings (a fraction of the dense bytes) and dense for dense ones", async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `fix flaky test ${i} by awaiting the server before the request in suite ${i % 7}`);
    const vectors = await createHashingEmbedder({ dimensions: 256 }).embed(texts);
    const matrix = new Float32Array(texts.length * 256);
    vectors.forEach((v, i) => {
      matrix.set(v, i * 256);
    });
    const hashed = rowsFromMatrix(matrix, 256, texts.length);
    expect(hashed.kind).toBe("sparse");
    if (hashed.kind === "sparse") expect(hashed.value.byteLength + hashed.index.byteLength).toBeLessThan(matrix.byteLength / 3);
    const random = seededRandom(5);
    const dense = Float32Array.from({ length: 50 * DIMS }, () => random() - 0.5);
    expect(rowsFromMatrix(dense, DIMS, 50).kind).toBe("dense");
    // Sparse rows number dimensions in 16 bits: longer vectors stay dense, however many zeros they hold.
    expect(rowsFromMatrix(new Float32Array(70_000), 70_000, 1).kind).toBe("dense");
  });

  it("collect blocks given in any order, past the expected count, into the same rows", () => {
    const n = 100;
    const matrix = mixedRows(n, 9);
    const reference = rowsFromMatrix(matrix, DIMS, n, "dense");
    for (const form of ["dense", "sparse"] as const) {
      // Expects 10 rows: rows and elements both have to grow.
      const builder = new RowsBuilder(DIMS, 10, true, form);
      for (const first of [60, 0, 90, 30]) {
        const count = first === 90 ? 10 : 30;
        builder.setRows(first, matrix.slice(first * DIMS, (first + count) * DIMS), count);
      }
      const rows = builder.finish(n);
      expect(rows.kind).toBe(form);
      expectSameRows(rows, reference, n);
    }
  });

  it("select rows in a given order and move them to shared memory unchanged", () => {
    const n = 40;
    const matrix = mixedRows(n, 13);
    const which = [39, 2, 17, 2, 0];
    for (const form of ["dense", "sparse"] as const) {
      const rows = rowsFromMatrix(matrix, DIMS, n, form);
      const selected = selectRows(rows, which);
      expect(selected.n).toBe(which.length);
      which.forEach((i, k) => {
        expect(rowVector(selected, k)).toEqual(rowVector(rows, i));
      });
      const shared = sharedRows(rows);
      const buffers = shared.kind === "dense" ? [shared.values] : [shared.start, shared.count, shared.index, shared.value];
      expect(buffers.every((array) => array.buffer instanceof SharedArrayBuffer)).toBe(true);
      expectSameRows(shared, rows, n);
    }
  });
});

function expectSameRows(actual: RowVectors, expected: RowVectors, n: number): void {
  expect(actual.n).toBe(n);
  let differing = 0;
  for (let i = 0; i < n; i++) {
    const a = rowVector(actual, i);
    const e = rowVector(expected, i);
    if (!a.every((v, d) => v === e[d])) differing++;
  }
  expect(differing).toBe(0);
}
