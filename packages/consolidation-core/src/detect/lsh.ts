import { ValidationError } from "@memcons/models";
import { type RowVectors, rowDot, rowInto, rowsFromMatrix, sharedRows } from "../embedding/rows.js";
import { seededRandom } from "./random.js";
import { project, type ScanOutput, scanTables, signRows, type TableScan } from "./lsh-scan.js";
import { startScanWorkers, threadCount, typedArray, workerScript } from "../threads/threads.js";

/** Unit vectors stored row by row, each with a group (pairs only form inside a group). */
export interface VectorSet {
  /** n × dims floats, each row L2-normalized. */
  vectors: Float32Array;
  dims: number;
  n: number;
  /** Group of each row (e.g. memory type); null = one group for all. */
  groups: Int32Array | null;
}

/** Rows (dense or sparse) with a group each, as the engine searches them. */
export interface RowSet {
  rows: RowVectors;
  /** Group of each row; null = one group for all. */
  groups: Int32Array | null;
}

/** The rows of a VectorSet. */
function rowSetOf(set: VectorSet): RowSet {
  return { rows: rowsFromMatrix(set.vectors, set.dims, set.n), groups: set.groups };
}

/** A pair of rows (i < j) with their cosine similarity. */
export interface SimilarPair {
  i: number;
  j: number;
  similarity: number;
}

/**
 * Tuning of the random-hyperplane LSH. Rows are hashed relative to their group's mean vector; the defaults keep
 * recall ≥ 0.99 against exhaustive search at the default threshold (measured by `pnpm bench quality`).
 */
export interface LshOptions {
  /** Signature length in bits (multiple of 32, default 256). */
  signatureBits?: number;
  /** Hash tables (default 90 up to 100,000 rows, 25% more per extra key bit beyond). */
  tables?: number;
  /** Signature bits per table key (default 13 up to 100,000 rows, one more per doubling beyond, at most 16). */
  bitsPerTable?: number;
  /** Seed of the hyperplanes and bit samples (default 0x5eed). */
  seed?: number;
  /**
   * Rows compared per row inside one oversized bucket (default 2048): a pathological bucket (thousands of
   * near-identical rows) is scanned as a sliding window, which bounds the work at some loss of recall.
   */
  maxBucket?: number;
  /** Share of non-zero coordinates in each sparse random hyperplane (default 1/8). */
  projectionDensity?: number;
  /**
   * Threads that scan the hash tables in lshSimilarPairsAsync, the calling one included (default: one per core, at most
   * 4, from 20,000 rows; 1 below). Worker threads are started for the one search and stopped when it ends; the pairs
   * are the same whatever the count.
   */
  threads?: number;
}

/** Counters of one LSH run. */
export interface LshStats {
  bucketPairs: number;
  hammingPassed: number;
  verifiedPairs: number;
  /** Threads that scanned the tables (1 when the search ran on the calling thread only). */
  threads: number;
}

/** Result of an LSH pair search. */
export interface LshResult {
  pairs: SimilarPair[];
  stats: LshStats;
}

/** Pairs with cosine ≥ threshold found via random-hyperplane LSH and exact verification; deterministic. */
export function lshSimilarPairs(set: VectorSet, threshold: number, options: LshOptions = {}): LshResult {
  return lshRowPairs(rowSetOf(set), threshold, options);
}

/** lshSimilarPairs over rows in either form. */
export function lshRowPairs(set: RowSet, threshold: number, options: LshOptions = {}): LshResult {
  const scan = prepareScan(set, threshold, options, false);
  runSteps(signRows(scan));
  return mergeOutputs([runSteps(scanTables(scan))]);
}

/**
 * Same as lshSimilarPairs (the same pairs), but yields to the event loop between steps so timers (lease heartbeats)
 * keep running, and on large sets scans the hash tables on several threads (see LshOptions.threads).
 */
export async function lshSimilarPairsAsync(
  set: VectorSet,
  threshold: number,
  options: LshOptions = {},
): Promise<LshResult> {
  return lshRowPairsAsync(rowSetOf(set), threshold, options);
}

/** lshSimilarPairsAsync over rows in either form. */
export async function lshRowPairsAsync(set: RowSet, threshold: number, options: LshOptions = {}): Promise<LshResult> {
  const threads = threadCount(options.threads, set.rows.n);
  const script = threads > 1 ? workerScript("lsh-worker") : null;
  const scan = prepareScan(set, threshold, options, script !== null);
  const workers = script ? startScanWorkers(scan, threads - 1, script) : null;
  try {
    await runStepsAsync(signRows(scan));
    // Every table needs every signature: wait for rows other threads are still signing (unless one of them failed).
    while (Atomics.load(scan.rowsSigned, 0) < scan.n) {
      if (workers?.failure()) throw workers.failure();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const own = await runStepsAsync(scanTables(scan));
    return mergeOutputs([own, ...((await workers?.outputs) ?? [])]);
  } finally {
    await workers?.terminate();
  }
}

function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

async function runStepsAsync<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Hyperplanes, distances from the group means and table bits of `set` (signatures still to compute); in shared memory when threads will read them. */
function prepareScan(set: RowSet, threshold: number, options: LshOptions, shared: boolean): TableScan {
  const { n, dims } = set.rows;
  const bits = options.signatureBits ?? 256;
  const shape = defaultShape(n);
  const tables = options.tables ?? shape.tables;
  const k = options.bitsPerTable ?? shape.bitsPerTable;
  if (!Number.isInteger(k) || k < 1 || k > 16) {
    throw new ValidationError(`bitsPerTable must be an integer in 1..16, got ${k}`, [{ path: "bitsPerTable", message: "must be an integer in 1..16" }]);
  }
  if (!Number.isInteger(tables) || tables < 1) {
    throw new ValidationError(`tables must be a positive integer, got ${tables}`, [{ path: "tables", message: "must be a positive integer" }]);
  }
  const random = seededRandom(options.seed ?? 0x5eed);
  const words = bits >>> 5;
  const int32 = (length: number) => typedArray(Int32Array, length, shared);
  const uint32 = (length: number) => typedArray(Uint32Array, length, shared);
  const groups = int32(n);
  if (set.groups) groups.set(set.groups.subarray(0, n));
  const centered = centerByGroup(set.rows, groups, shared);
  const planes = hyperplanes(bits, dims, random, options.projectionDensity ?? 1 / 8, shared);
  // A projection is linear: the centred row's side of a hyperplane is the row's projection minus its mean's.
  const meanProjections = typedArray(Float64Array, centered.groupCount * bits, shared);
  for (let g = 0; g < centered.groupCount; g++) {
    for (let b = 0; b < bits; b++) meanProjections[g * bits + b] = project(centered.means, g * dims, planes, b);
  }
  const masks = uint32(tables * words);
  const tableBits = int32(tables * k);
  const sample = new Int32Array(k);
  for (let t = 0; t < tables; t++) {
    sampleBits(sample, bits, random);
    tableBits.set(sample, t * k);
    for (const bit of sample) {
      const w = t * words + (bit >>> 5);
      masks[w] = ((masks[w] as number) | (1 << (bit & 31))) >>> 0;
    }
  }
  return {
    n,
    dims,
    bits,
    words,
    k,
    tables,
    maxBucket: options.maxBucket ?? 2048,
    threshold,
    groupCount: centered.groupCount,
    rows: shared ? sharedRows(set.rows) : set.rows,
    ...planes,
    meanProjections,
    signatures: uint32(n * words),
    nextRow: int32(1),
    rowsSigned: int32(1),
    norms: centered.norms,
    groups,
    masks,
    tableBits,
    next: int32(1),
  };
}

/** The pairs of every thread, in (i, j) order, with their summed counters. */
function mergeOutputs(outputs: ScanOutput[]): LshResult {
  const pairs: SimilarPair[] = [];
  const stats: LshStats = { bucketPairs: 0, hammingPassed: 0, verifiedPairs: 0, threads: outputs.length };
  for (const output of outputs) {
    for (let p = 0; p < output.count; p++) {
      pairs.push({ i: output.i[p] as number, j: output.j[p] as number, similarity: output.similarity[p] as number });
    }
    stats.bucketPairs += output.bucketPairs;
    stats.hammingPassed += output.hammingPassed;
    stats.verifiedPairs += output.verifiedPairs;
  }
  pairs.sort((a, b) => a.i - b.i || a.j - b.j);
  return { pairs, stats };
}

/**
 * Each group's mean vector and every row's distance from it. Rows of one kind share much (a template's words, common
 * terms), so their raw angles are all small; measured from the group's mean, unrelated rows point every way and only
 * near-duplicates stay close. Differences, hence the pairs above the threshold, are unchanged.
 */
function centerByGroup(
  rows: RowVectors,
  groups: Int32Array,
  shared: boolean,
): { means: Float64Array; norms: Float32Array; groupCount: number } {
  const { dims, n } = rows;
  let groupCount = 1;
  for (let i = 0; i < n; i++) groupCount = Math.max(groupCount, (groups[i] as number) + 1);
  const means = new Float64Array(groupCount * dims);
  const sizes = new Float64Array(groupCount);
  const row = new Float32Array(dims);
  for (let i = 0; i < n; i++) {
    const g = groups[i] as number;
    sizes[g] = (sizes[g] as number) + 1;
    if (rows.kind === "sparse") {
      // Zeros leave a sum unchanged: only the row's non-zero elements are added.
      const first = rows.start[i] as number;
      for (let x = first; x < first + (rows.count[i] as number); x++) {
        const d = g * dims + (rows.index[x] as number);
        means[d] = (means[d] as number) + (rows.value[x] as number);
      }
    } else {
      for (let d = 0; d < dims; d++) means[g * dims + d] = (means[g * dims + d] as number) + (rows.values[i * dims + d] as number);
    }
  }
  for (let g = 0; g < groupCount; g++) {
    const size = sizes[g] as number;
    if (size > 0) for (let d = 0; d < dims; d++) means[g * dims + d] = (means[g * dims + d] as number) / size;
  }
  const norms = typedArray(Float32Array, n, shared);
  for (let i = 0; i < n; i++) {
    const g = groups[i] as number;
    rowInto(rows, i, row);
    let sum = 0;
    for (let d = 0; d < dims; d++) {
      const v = (row[d] as number) - (means[g * dims + d] as number);
      sum += v * v;
    }
    norms[i] = Math.sqrt(sum);
  }
  return { means, norms, groupCount };
}

/** Every pair with cosine ≥ threshold, by comparing all pairs within each group (the reference for LSH recall). */
export function exhaustiveSimilarPairs(set: VectorSet, threshold: number): SimilarPair[] {
  return exhaustiveRowPairs(rowSetOf(set), threshold);
}

/** exhaustiveSimilarPairs over rows in either form. */
export function exhaustiveRowPairs(set: RowSet, threshold: number): SimilarPair[] {
  const pairs: SimilarPair[] = [];
  const { rows, groups } = set;
  for (let i = 0; i < rows.n; i++) {
    for (let j = i + 1; j < rows.n; j++) {
      if (groups && groups[i] !== groups[j]) continue;
      const similarity = rowDot(rows, i, j);
      if (similarity >= threshold) pairs.push({ i, j, similarity });
    }
  }
  return pairs;
}

/**
 * Sparse random hyperplanes (Achlioptas): each coordinate is +1 or -1 with probability density/2, else 0. Plane b's
 * +1 coordinates are plus[plusStart[b]..plusStart[b + 1]), its -1 coordinates likewise in minus; plusByDim and
 * minusByDim list the same planes by dimension (the planes dimension d enters, from plusByDimStart[d]).
 */
export function hyperplanes(bits: number, dims: number, random: () => number, density: number, shared: boolean) {
  const plus: number[] = [];
  const minus: number[] = [];
  const plusStart = [0];
  const minusStart = [0];
  for (let b = 0; b < bits; b++) {
    for (let d = 0; d < dims; d++) {
      const r = random();
      if (r < density / 2) plus.push(d);
      else if (r < density) minus.push(d);
    }
    plusStart.push(plus.length);
    minusStart.push(minus.length);
  }
  const int32 = (values: number[]) => {
    const array = typedArray(Int32Array, values.length, shared);
    array.set(values);
    return array;
  };
  const plusByDim = byDimension(plus, plusStart, dims);
  const minusByDim = byDimension(minus, minusStart, dims);
  return {
    plus: int32(plus),
    plusStart: int32(plusStart),
    minus: int32(minus),
    minusStart: int32(minusStart),
    plusByDim: int32(plusByDim.planes),
    plusByDimStart: int32(plusByDim.start),
    minusByDim: int32(minusByDim.planes),
    minusByDimStart: int32(minusByDim.start),
  };
}

/** The same sparse hyperplanes listed by dimension: the planes each dimension enters, in plane order. */
function byDimension(dimsOf: number[], start: number[], dims: number): { planes: number[]; start: number[] } {
  const lists: number[][] = Array.from({ length: dims }, () => []);
  for (let b = 0; b + 1 < start.length; b++) {
    for (let x = start[b] as number; x < (start[b + 1] as number); x++) (lists[dimsOf[x] as number] as number[]).push(b);
  }
  const offsets = [0];
  for (const list of lists) offsets.push((offsets[offsets.length - 1] as number) + list.length);
  return { planes: lists.flat(), start: offsets };
}

/**
 * Table shape for n rows: 13 bits per key and 90 tables up to 100,000 rows; beyond, one more bit per doubling (so
 * buckets of unrelated rows stay as small) and 25% more tables per bit (so near-duplicates still meet).
 */
function defaultShape(n: number): { bitsPerTable: number; tables: number } {
  const extra = Math.max(0, Math.min(3, Math.round(Math.log2(n / 100_000))));
  return { bitsPerTable: 13 + extra, tables: Math.round(90 * 1.25 ** extra) };
}

function sampleBits(out: Int32Array, bits: number, random: () => number): void {
  const pool = Array.from({ length: bits }, (_, i) => i);
  for (let b = 0; b < out.length; b++) {
    const pick = b + Math.floor(random() * (bits - b));
    const tmp = pool[b] as number;
    pool[b] = pool[pick] as number;
    pool[pick] = tmp;
    out[b] = pool[b] as number;
  }
}
