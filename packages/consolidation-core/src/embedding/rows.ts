import { typedArray } from "../threads/threads.js";

/**
 * n vectors of `dims` floats, row by row: dense (n × dims floats), or sparse (each row's non-zero elements in
 * dimension order) when most elements are zero, as hashing embeddings are. Plain typed arrays, so worker threads can
 * share them. Either form gives exactly the same dot products.
 */
export type RowVectors = DenseRows | SparseRows;

/** Rows stored as one n × dims matrix. */
export interface DenseRows {
  kind: "dense";
  n: number;
  dims: number;
  values: Float32Array;
}

/** Rows stored as their non-zero elements: row i is index/value[start[i] .. start[i] + count[i]), in dimension order. */
export interface SparseRows {
  kind: "sparse";
  n: number;
  dims: number;
  start: Int32Array;
  count: Uint16Array;
  index: Uint16Array;
  value: Float32Array;
}

/** Rows are stored sparse when at most this share of their elements is non-zero (6 bytes per element instead of 4). */
const SPARSE_MAX_DENSITY = 0.5;
/** Sparse rows number their dimensions, and count a row's elements, in 16 bits. */
const MAX_SPARSE_DIMS = 65_535;

/** No rows. */
export function emptyRows(dims: number): RowVectors {
  return { kind: "dense", n: 0, dims, values: new Float32Array(0) };
}

/** The first `n` rows of a row-major matrix in `form` (by default sparse when that is smaller): the matrix itself when dense. */
export function rowsFromMatrix(values: Float32Array, dims: number, n: number, form?: RowVectors["kind"]): RowVectors {
  const matrix = values.subarray(0, n * dims);
  if ((form ?? (isSparse(nonZeroCount(matrix), matrix.length, dims) ? "sparse" : "dense")) === "dense") return { kind: "dense", n, dims, values: matrix };
  const builder = new RowsBuilder(dims, n, false, "sparse");
  builder.setRows(0, matrix, n);
  return builder.finish(n);
}

/** The same rows in shared memory (themselves when already there), for worker threads to read without a copy. */
export function sharedRows(rows: RowVectors): RowVectors {
  const share = <T extends RowArray>(array: T): T => (array.buffer instanceof SharedArrayBuffer ? array : copyOf(array, array.length, true));
  if (rows.kind === "dense") return { ...rows, values: share(rows.values) };
  return { ...rows, start: share(rows.start), count: share(rows.count), index: share(rows.index), value: share(rows.value) };
}

/** Dot product of rows i and j (for unit vectors, their cosine), summed in dimension order as a dense loop sums it. */
export function rowDot(rows: RowVectors, i: number, j: number): number {
  if (rows.kind === "dense") {
    const { values, dims } = rows;
    let dot = 0;
    const a = i * dims;
    const b = j * dims;
    for (let k = 0; k < dims; k++) dot += (values[a + k] as number) * (values[b + k] as number);
    return dot;
  }
  // Only dimensions where both rows are non-zero add to a dense sum (the others add a zero), in the same order.
  const { start, count, index, value } = rows;
  let a = start[i] as number;
  let b = start[j] as number;
  const aEnd = a + (count[i] as number);
  const bEnd = b + (count[j] as number);
  let dot = 0;
  while (a < aEnd && b < bEnd) {
    const da = index[a] as number;
    const db = index[b] as number;
    if (da === db) dot += (value[a++] as number) * (value[b++] as number);
    else if (da < db) a++;
    else b++;
  }
  return dot;
}

/**
 * Row i of sparse rows spread out over `into` (all zeros but row `previous`, which is cleared first): then
 * `scatteredDot` gives its dot product with any row by visiting only that row's non-zero elements.
 */
export function scatterRow(rows: SparseRows, i: number, into: Float64Array, previous: number): void {
  const { start, count, index, value } = rows;
  if (previous >= 0) for (let x = start[previous] as number; x < (start[previous] as number) + (count[previous] as number); x++) into[index[x] as number] = 0;
  for (let x = start[i] as number; x < (start[i] as number) + (count[i] as number); x++) into[index[x] as number] = value[x] as number;
}

/** The dot product of the row scattered over `scattered` with row j, exactly as rowDot gives it. */
export function scatteredDot(rows: SparseRows, scattered: Float64Array, j: number): number {
  const { start, count, index, value } = rows;
  const first = start[j] as number;
  const last = first + (count[j] as number);
  let dot = 0;
  // Row j's zeros add nothing to a dense sum: its non-zero elements, in dimension order, give the same sum.
  for (let x = first; x < last; x++) dot += (scattered[index[x] as number] as number) * (value[x] as number);
  return dot;
}

/** Writes row i, zeros included, into `into` from `offset`. */
export function rowInto(rows: RowVectors, i: number, into: Float32Array, offset = 0): void {
  const { dims } = rows;
  if (rows.kind === "dense") {
    into.set(rows.values.subarray(i * dims, (i + 1) * dims), offset);
    return;
  }
  into.fill(0, offset, offset + dims);
  const first = rows.start[i] as number;
  const last = first + (rows.count[i] as number);
  for (let x = first; x < last; x++) into[offset + (rows.index[x] as number)] = rows.value[x] as number;
}

/** Row i as a new array of `dims` floats. */
export function rowVector(rows: RowVectors, i: number): Float32Array {
  const out = new Float32Array(rows.dims);
  rowInto(rows, i, out);
  return out;
}

/** The given rows, in that order, as rows of their own. */
export function selectRows(rows: RowVectors, which: readonly number[]): RowVectors {
  const { dims } = rows;
  if (rows.kind === "dense") {
    const values = new Float32Array(which.length * dims);
    which.forEach((i, k) => {
      rowInto(rows, i, values, k * dims);
    });
    return { kind: "dense", n: which.length, dims, values };
  }
  let total = 0;
  for (const i of which) total += rows.count[i] as number;
  const start = new Int32Array(which.length);
  const count = new Uint16Array(which.length);
  const index = new Uint16Array(total);
  const value = new Float32Array(total);
  let at = 0;
  which.forEach((i, k) => {
    const first = rows.start[i] as number;
    const size = rows.count[i] as number;
    start[k] = at;
    count[k] = size;
    index.set(rows.index.subarray(first, first + size), at);
    value.set(rows.value.subarray(first, first + size), at);
    at += size;
  });
  return { kind: "sparse", n: which.length, dims, start, count, index, value };
}

type RowArray = Float32Array | Int32Array | Uint16Array;

/** A copy of `array` with room for `length` elements (the rest zeros), in shared memory when asked. */
function copyOf<T extends RowArray>(array: T, length: number, shared: boolean): T {
  const copy = typedArray(array.constructor as unknown as { new (buffer: SharedArrayBuffer): T; new (length: number): T; BYTES_PER_ELEMENT: number }, length, shared);
  copy.set(array as never);
  return copy;
}

/** Elements of `matrix` that are not zero (NaN is not zero). */
function nonZeroCount(matrix: Float32Array): number {
  let nonZero = 0;
  for (let x = 0; x < matrix.length; x++) if ((matrix[x] as number) !== 0) nonZero++;
  return nonZero;
}

/** Whether rows of `dims` elements, `nonZero` of `total` elements not zero, are smaller sparse. */
function isSparse(nonZero: number, total: number, dims: number): boolean {
  return dims <= MAX_SPARSE_DIMS && nonZero <= total * SPARSE_MAX_DENSITY;
}

/**
 * Collects rows given a block at a time, in any order, into RowVectors (in shared memory when `shared`): the form is
 * `form`, or else chosen from the first block, and storage grows when more rows arrive than expected.
 */
export class RowsBuilder {
  readonly #dims: number;
  readonly #shared: boolean;
  readonly #form: RowVectors["kind"] | undefined;
  #expected: number;
  #rows: RowVectors | null = null;
  /** Elements of the sparse arrays in use. */
  #used = 0;

  constructor(dims: number, expectedRows: number, shared: boolean, form?: RowVectors["kind"]) {
    this.#dims = dims;
    this.#expected = Math.max(1, expectedRows);
    this.#shared = shared;
    this.#form = form;
  }

  /** Sets rows first .. first + count - 1 from `matrix` (count × dims floats, row-major). */
  setRows(first: number, matrix: Float32Array, count: number): void {
    const dims = this.#dims;
    const block = matrix.subarray(0, count * dims);
    this.#rows ??= this.#create(block, count);
    const rows = this.#ensureRows(first + count);
    if (rows.kind === "dense") {
      rows.values.set(block, first * dims);
      return;
    }
    // One pass: before each row, room for all of its elements.
    let sparse = rows as SparseRows;
    let used = this.#used;
    for (let r = 0; r < count; r++) {
      if (used + dims > sparse.index.length) sparse = this.#ensureElements(used + dims);
      sparse.start[first + r] = used;
      const base = r * dims;
      for (let d = 0; d < dims; d++) {
        const v = block[base + d] as number;
        if (v !== 0) {
          sparse.index[used] = d;
          sparse.value[used++] = v;
        }
      }
      sparse.count[first + r] = used - (sparse.start[first + r] as number);
    }
    this.#used = used;
  }

  /** The first n rows collected. */
  finish(n: number): RowVectors {
    const rows = this.#rows ?? emptyRows(this.#dims);
    if (rows.kind === "dense") return { ...rows, n, values: rows.values.subarray(0, n * this.#dims) };
    return { ...rows, n, start: rows.start.subarray(0, n), count: rows.count.subarray(0, n) };
  }

  #create(block: Float32Array, count: number): RowVectors {
    const dims = this.#dims;
    const nonZero = nonZeroCount(block);
    const form = this.#form ?? (isSparse(nonZero, block.length, dims) ? "sparse" : "dense");
    if (form === "dense") return { kind: "dense", n: 0, dims, values: typedArray(Float32Array, this.#expected * dims, this.#shared) };
    // Room for the expected rows at the first block's density, plus a little.
    const elements = Math.ceil((nonZero / Math.max(1, count)) * this.#expected * 1.1) + dims;
    return {
      kind: "sparse",
      n: 0,
      dims,
      start: typedArray(Int32Array, this.#expected, this.#shared),
      count: typedArray(Uint16Array, this.#expected, this.#shared),
      index: typedArray(Uint16Array, elements, this.#shared),
      value: typedArray(Float32Array, elements, this.#shared),
    };
  }

  /** The rows, with room for at least `n` of them. */
  #ensureRows(n: number): RowVectors {
    const rows = this.#rows as RowVectors;
    if (n <= this.#expected) return rows;
    this.#expected = Math.ceil(n * 1.25);
    const shared = this.#shared;
    this.#rows =
      rows.kind === "dense"
        ? { ...rows, values: copyOf(rows.values, this.#expected * this.#dims, shared) }
        : { ...rows, start: copyOf(rows.start, this.#expected, shared), count: copyOf(rows.count, this.#expected, shared) };
    return this.#rows;
  }

  /** The sparse rows, with room for at least `elements` elements. */
  #ensureElements(elements: number): SparseRows {
    const rows = this.#rows as SparseRows;
    if (elements <= rows.index.length) return rows;
    const capacity = Math.ceil(elements * 1.25);
    this.#rows = { ...rows, index: copyOf(rows.index, capacity, this.#shared), value: copyOf(rows.value, capacity, this.#shared) };
    return this.#rows;
  }
}
