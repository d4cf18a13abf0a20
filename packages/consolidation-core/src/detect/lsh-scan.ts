import { type RowVectors, rowDot, scatteredDot, scatterRow } from "../embedding/rows.js";
import { popcount32 } from "./random.js";

/**
 * Everything the hash tables are scanned with, in arrays that may live in SharedArrayBuffers: worker threads then
 * read the same memory, and each takes the next unscanned table from the shared counter `next`.
 */
export interface TableScan {
  n: number;
  dims: number;
  /** Signature length in bits and in 32-bit words. */
  bits: number;
  words: number;
  /** Key bits per table and number of tables. */
  k: number;
  tables: number;
  maxBucket: number;
  threshold: number;
  groupCount: number;
  rows: RowVectors;
  /** The hyperplanes, their projections of each group's mean (groupCount × bits), and the signatures they give. */
  plus: Int32Array;
  plusStart: Int32Array;
  minus: Int32Array;
  minusStart: Int32Array;
  /** The same hyperplanes by dimension: the planes each dimension enters with + and with −. */
  plusByDim: Int32Array;
  plusByDimStart: Int32Array;
  minusByDim: Int32Array;
  minusByDimStart: Int32Array;
  meanProjections: Float64Array;
  signatures: Uint32Array;
  /** First row no thread has started signing, and rows signed so far (shared counters). */
  nextRow: Int32Array;
  rowsSigned: Int32Array;
  /** Each row's distance from its group's mean. */
  norms: Float32Array;
  groups: Int32Array;
  /** The signature bits of each table, as a mask (tables × words) and as a list (tables × k). */
  masks: Uint32Array;
  tableBits: Int32Array;
  /** Index of the next table to scan, shared by every thread scanning. */
  next: Int32Array;
}

/** Sparse hyperplanes as TableScan holds them (see its fields). */
export type Hyperplanes = Pick<TableScan, "plus" | "plusStart" | "minus" | "minusStart">;

/** Hyperplanes with their lists by dimension, as signRows reads them. */
export type IndexedHyperplanes = Hyperplanes &
  Pick<TableScan, "plusByDim" | "plusByDimStart" | "minusByDim" | "minusByDimStart">;

/** Rows one thread signs before taking more. */
const SIGN_CHUNK = 2048;

/** Computes signatures of rows no thread has taken yet, a chunk at a time (yielding after each), until none is left. */
export function* signRows(scan: TableScan): Generator<void, void> {
  const { n, dims, bits, words, rows, groups, meanProjections, signatures } = scan;
  const projections = new Float64Array(bits);
  const nonzero = { dims: new Int32Array(dims), values: new Float64Array(dims) };
  for (let first = Atomics.add(scan.nextRow, 0, SIGN_CHUNK); first < n; first = Atomics.add(scan.nextRow, 0, SIGN_CHUNK)) {
    const last = Math.min(n, first + SIGN_CHUNK);
    for (let i = first; i < last; i++) {
      const offset = (groups[i] as number) * bits;
      projectRow(rows, i, scan, projections, nonzero);
      for (let b = 0; b < bits; b++) {
        if ((projections[b] as number) >= (meanProjections[offset + b] as number)) {
          const w = i * words + (b >>> 5);
          signatures[w] = ((signatures[w] as number) | (1 << (b & 31))) >>> 0;
        }
      }
    }
    Atomics.add(scan.rowsSigned, 0, last - first);
    Atomics.notify(scan.rowsSigned, 0);
    yield;
  }
}

/**
 * The projections of row i onto every hyperplane, into `into`, exactly as `project` gives them: each sums the row's +
 * elements and then subtracts its − elements in dimension order, and only the row's non-zero elements (an embedding is
 * mostly zeros) are visited. `nonzero` is scratch space of `dims` entries each.
 */
export function projectRow(
  rows: RowVectors,
  i: number,
  planes: IndexedHyperplanes,
  into: Float64Array,
  nonzero: { dims: Int32Array; values: Float64Array },
): void {
  const count = nonZeroElements(rows, i, nonzero);
  into.fill(0);
  const { plusByDim, plusByDimStart, minusByDim, minusByDimStart } = planes;
  for (let q = 0; q < count; q++) {
    const d = nonzero.dims[q] as number;
    const x = nonzero.values[q] as number;
    for (let p = plusByDimStart[d] as number; p < (plusByDimStart[d + 1] as number); p++) {
      const b = plusByDim[p] as number;
      into[b] = (into[b] as number) + x;
    }
  }
  for (let q = 0; q < count; q++) {
    const d = nonzero.dims[q] as number;
    const x = nonzero.values[q] as number;
    for (let p = minusByDimStart[d] as number; p < (minusByDimStart[d + 1] as number); p++) {
      const b = minusByDim[p] as number;
      into[b] = (into[b] as number) - x;
    }
  }
}

/** Writes row i's non-zero elements, in dimension order, into `into`; returns how many there are. */
function nonZeroElements(rows: RowVectors, i: number, into: { dims: Int32Array; values: Float64Array }): number {
  let count = 0;
  if (rows.kind === "sparse") {
    const first = rows.start[i] as number;
    count = rows.count[i] as number;
    for (let q = 0; q < count; q++) {
      into.dims[q] = rows.index[first + q] as number;
      into.values[q] = rows.value[first + q] as number;
    }
    return count;
  }
  const { values, dims } = rows;
  for (let d = 0; d < dims; d++) {
    const x = values[i * dims + d] as number;
    if (x !== 0) {
      into.dims[count] = d;
      into.values[count++] = x;
    }
  }
  return count;
}

/** The projection of the row starting at `base` onto hyperplane `b`. */
export function project(vectors: Float32Array | Float64Array, base: number, planes: Hyperplanes, b: number): number {
  let s = 0;
  for (let x = planes.plusStart[b] as number; x < (planes.plusStart[b + 1] as number); x++) s += vectors[base + (planes.plus[x] as number)] as number;
  for (let x = planes.minusStart[b] as number; x < (planes.minusStart[b + 1] as number); x++) s -= vectors[base + (planes.minus[x] as number)] as number;
  return s;
}

/** The pairs one thread found (the first `count` entries of each array) and its counters. */
export interface ScanOutput {
  count: number;
  i: Int32Array;
  j: Int32Array;
  similarity: Float64Array;
  bucketPairs: number;
  hammingPassed: number;
  verifiedPairs: number;
}

/**
 * Scans tables until none is left, yielding after each. A pair is verified only in the first table where it collides
 * (the first whose bits its signatures agree on), so threads scanning different tables never report one pair twice.
 */
export function* scanTables(scan: TableScan): Generator<void, ScanOutput> {
  const { n, words, k, maxBucket, threshold, signatures, norms, groups, masks, tableBits, rows } = scan;
  const limits = hammingLimits(scan.bits);
  const slack = 2 * (1 - threshold);
  const found = new PairBuffer();
  let bucketPairs = 0;
  let hammingPassed = 0;
  let verifiedPairs = 0;
  // Counting sort by bucket (group, key): no comparisons, rows of one bucket end up adjacent.
  const keySpace = 2 ** k;
  const counts = new Int32Array(scan.groupCount * keySpace + 1);
  const bucket = new Int32Array(n);
  const order = new Int32Array(n);
  // Each table's signatures and norms in bucket order: a bucket's rows are compared from adjacent memory.
  const sorted = new Uint32Array(n * words);
  const sortedNorms = new Float32Array(n);
  const difference = new Uint32Array(words);
  // Sparse rows: the row being compared is spread over a dense array once, then each pair costs the other row's non-zeros.
  const scattered = rows.kind === "sparse" ? new Float64Array(rows.dims) : null;
  let scatteredRow = -1;
  for (let t = Atomics.add(scan.next, 0, 1); t < scan.tables; t = Atomics.add(scan.next, 0, 1)) {
    for (let i = 0; i < n; i++) {
      let key = 0;
      const base = i * words;
      for (let b = 0; b < k; b++) {
        const bit = tableBits[t * k + b] as number;
        key = (key << 1) | (((signatures[base + (bit >>> 5)] as number) >>> (bit & 31)) & 1);
      }
      bucket[i] = (groups[i] as number) * keySpace + key;
    }
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const slot = (bucket[i] as number) + 1;
      counts[slot] = (counts[slot] as number) + 1;
    }
    for (let b = 1; b < counts.length; b++) counts[b] = (counts[b] as number) + (counts[b - 1] as number);
    for (let i = 0; i < n; i++) {
      const slot = bucket[i] as number;
      const position = counts[slot] as number;
      order[position] = i;
      counts[slot] = position + 1;
      for (let w = 0; w < words; w++) sorted[position * words + w] = signatures[i * words + w] as number;
      sortedNorms[position] = norms[i] as number;
    }
    let start = 0;
    while (start < n) {
      const current = bucket[order[start] as number];
      let end = start + 1;
      while (end < n && bucket[order[end] as number] === current) end++;
      for (let a = start; a < end; a++) {
        const i = order[a] as number;
        const ri = sortedNorms[a] as number;
        // No pair of this row may pass a larger distance: counting stops there, most rows in a bucket are far apart.
        const rowLimit = limits.atMost(ri, slack);
        const last = Math.min(end, a + 1 + maxBucket);
        for (let b = a + 1; b < last; b++) {
          bucketPairs++;
          const rj = sortedNorms[b] as number;
          const upper = 2 * ri * rj <= DEGENERATE_PRODUCT ? scan.bits : rowLimit;
          const distance = distanceUpTo(sorted, words, a, b, upper, difference);
          if (distance > upper || distance > limits.at(ri, rj, slack)) continue;
          const j = order[b] as number;
          hammingPassed++;
          if (collidedBefore(masks, words, t, difference)) continue;
          verifiedPairs++;
          let similarity: number;
          if (scattered && rows.kind === "sparse") {
            if (scatteredRow !== i) {
              scatterRow(rows, i, scattered, scatteredRow);
              scatteredRow = i;
            }
            similarity = scatteredDot(rows, scattered, j);
          } else similarity = rowDot(rows, i, j);
          if (similarity >= threshold) found.push(Math.min(i, j), Math.max(i, j), similarity);
        }
      }
      start = end;
    }
    yield;
  }
  return { ...found.arrays(), bucketPairs, hammingPassed, verifiedPairs };
}

/** Growable columns of pairs (typed arrays: cheap to hand from a worker thread). */
class PairBuffer {
  #count = 0;
  #i = new Int32Array(1024);
  #j = new Int32Array(1024);
  #similarity = new Float64Array(1024);

  push(i: number, j: number, similarity: number): void {
    if (this.#count === this.#i.length) {
      const grow = <T extends Int32Array | Float64Array>(from: T, to: T): T => {
        to.set(from);
        return to;
      };
      this.#i = grow(this.#i, new Int32Array(this.#count * 2));
      this.#j = grow(this.#j, new Int32Array(this.#count * 2));
      this.#similarity = grow(this.#similarity, new Float64Array(this.#count * 2));
    }
    this.#i[this.#count] = i;
    this.#j[this.#count] = j;
    this.#similarity[this.#count] = similarity;
    this.#count++;
  }

  arrays(): { count: number; i: Int32Array; j: Int32Array; similarity: Float64Array } {
    return { count: this.#count, i: this.#i, j: this.#j, similarity: this.#similarity };
  }
}

/**
 * The largest signature Hamming distance a pair above the threshold can plausibly show. Two unit rows with cosine ≥ t
 * are at most √(2(1 − t)) apart, so rows at distances rᵢ, rⱼ from their mean have a centred cosine of at least
 * (rᵢ² + rⱼ² − 2(1 − t)) / (2 rᵢ rⱼ); the limit allows three standard deviations above that angle's expected distance.
 */
const HAMMING_SIGMAS = 3;

/** Below this 2·rᵢ·rⱼ a row sits on its group's mean and any distance is allowed. */
const DEGENERATE_PRODUCT = 1e-12;

/** Signature distance limits for a pair (`at`) and for every pair of one row (`atMost`), rows at distances rᵢ, rⱼ from their mean. */
export interface HammingLimits {
  at(ri: number, rj: number, slack: number): number;
  atMost(ri: number, slack: number): number;
}

/** The Hamming limits of `bits`-bit signatures, from a table of 1,025 cosines. */
export function hammingLimits(bits: number): HammingLimits {
  const STEPS = 1024;
  const table = new Int32Array(STEPS + 1);
  for (let s = 0; s <= STEPS; s++) {
    const theta = Math.acos(Math.min(1, -1 + (2 * s) / STEPS)) / Math.PI;
    // No two signatures differ in more than `bits` bits.
    table[s] = Math.min(bits, Math.ceil(bits * theta + HAMMING_SIGMAS * Math.sqrt(bits * theta * (1 - theta)) + 1));
  }
  const lookup = (cosine: number): number => {
    if (cosine <= -1) return bits;
    // Rounded down: a smaller cosine allows a larger distance, so the limit never undercuts the true one.
    return table[Math.floor(((Math.min(1, cosine) + 1) * STEPS) / 2)] as number;
  };
  return {
    at(ri, rj, slack) {
      const product = 2 * ri * rj;
      if (product <= DEGENERATE_PRODUCT) return bits;
      return lookup((ri * ri + rj * rj - slack) / product);
    },
    /** The largest `at(ri, rj, slack)` over every rj > 0: the centred cosine is smallest, √(rᵢ² − slack) / rᵢ, at rⱼ² = rᵢ² − slack. */
    atMost(ri, slack) {
      if (ri * ri <= slack) return bits;
      return lookup(Math.sqrt(ri * ri - slack) / ri - 1e-9);
    },
  };
}

/** Whether two signatures whose XOR is `difference` agree on every bit of a table before `table`. */
function collidedBefore(masks: Uint32Array, words: number, table: number, difference: Uint32Array): boolean {
  for (let t = 0; t < table; t++) {
    let w = 0;
    while (w < words && ((difference[w] as number) & (masks[t * words + w] as number)) === 0) w++;
    if (w === words) return true;
  }
  return false;
}

/**
 * Hamming distance of rows `a` and `b` of `signatures`, or some larger number once the count passes `upper`. When it
 * is at most `upper`, their XOR is left in `difference`.
 */
function distanceUpTo(signatures: Uint32Array, words: number, a: number, b: number, upper: number, difference: Uint32Array): number {
  const x = a * words;
  const y = b * words;
  let d = 0;
  for (let w = 0; w < words; w++) {
    const bits = ((signatures[x + w] as number) ^ (signatures[y + w] as number)) >>> 0;
    d += popcount32(bits);
    if (d > upper) return d;
    difference[w] = bits;
  }
  return d;
}
