import { ValidationError } from "@memcons/models";
import { dotRows } from "../embedding/cosine.js";
import { popcount32, seededRandom } from "./random.js";

/** Unit vectors stored row by row, each with a group (pairs only form inside a group). */
export interface VectorSet {
  /** n × dims floats, each row L2-normalized. */
  vectors: Float32Array;
  dims: number;
  n: number;
  /** Group of each row (e.g. memory type); null = one group for all. */
  groups: Int32Array | null;
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
}

/** Counters of one LSH run. */
export interface LshStats {
  bucketPairs: number;
  hammingPassed: number;
  verifiedPairs: number;
}

/** Result of an LSH pair search. */
export interface LshResult {
  pairs: SimilarPair[];
  stats: LshStats;
}

/** Pairs with cosine ≥ threshold found via random-hyperplane LSH and exact verification; deterministic. */
export function lshSimilarPairs(set: VectorSet, threshold: number, options: LshOptions = {}): LshResult {
  const steps = lshSteps(set, threshold, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Same as lshSimilarPairs, but yields to the event loop between steps so timers (lease heartbeats) keep running. */
export async function lshSimilarPairsAsync(
  set: VectorSet,
  threshold: number,
  options: LshOptions = {},
): Promise<LshResult> {
  const steps = lshSteps(set, threshold, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function* lshSteps(set: VectorSet, threshold: number, options: LshOptions): Generator<void, LshResult> {
  const bits = options.signatureBits ?? 256;
  const shape = defaultShape(set.n);
  const tables = options.tables ?? shape.tables;
  const k = options.bitsPerTable ?? shape.bitsPerTable;
  if (!Number.isInteger(k) || k < 1 || k > 16) {
    throw new ValidationError(`bitsPerTable must be an integer in 1..16, got ${k}`, [{ path: "bitsPerTable", message: "must be an integer in 1..16" }]);
  }
  if (!Number.isInteger(tables) || tables < 1) {
    throw new ValidationError(`tables must be a positive integer, got ${tables}`, [{ path: "tables", message: "must be a positive integer" }]);
  }
  const maxBucket = options.maxBucket ?? 2048;
  const random = seededRandom(options.seed ?? 0x5eed);
  const words = bits >>> 5;
  const groups = set.groups ?? new Int32Array(set.n);
  const centered = centerByGroup(set, groups);
  const signatures = yield* simhash(set, groups, centered.means, bits, random, options.projectionDensity ?? 1 / 8);
  const limits = hammingLimits(bits);
  const slack = 2 * (1 - threshold);
  const norms = centered.norms;
  const stats: LshStats = { bucketPairs: 0, hammingPassed: 0, verifiedPairs: 0 };
  const pairs: SimilarPair[] = [];
  const { n } = set;
  const tableBits = new Int32Array(k);
  // Counting sort by bucket (group, key): no comparisons, rows of one bucket end up adjacent.
  const counts = new Int32Array(centered.groupCount * 2 ** k + 1);
  const bucket = new Int32Array(n);
  const order = new Int32Array(n);
  // The signature bits of each table as a mask: a pair is verified only in the first table where it collides (the
  // first table whose bits the pair's signatures agree on), which dedupes pairs without storing keys or seen pairs.
  const masks = new Uint32Array(tables * words);
  const difference = new Uint32Array(words);
  for (let t = 0; t < tables; t++) {
    yield;
    sampleBits(tableBits, bits, random);
    for (let b = 0; b < k; b++) {
      const bit = tableBits[b] as number;
      const w = t * words + (bit >>> 5);
      masks[w] = ((masks[w] as number) | (1 << (bit & 31))) >>> 0;
    }
    for (let i = 0; i < n; i++) {
      let key = 0;
      const base = i * words;
      for (let b = 0; b < k; b++) {
        const bit = tableBits[b] as number;
        key = (key << 1) | (((signatures[base + (bit >>> 5)] as number) >>> (bit & 31)) & 1);
      }
      bucket[i] = (groups[i] as number) * 2 ** k + key;
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
    }
    let start = 0;
    while (start < n) {
      const current = bucket[order[start] as number];
      let end = start + 1;
      while (end < n && bucket[order[end] as number] === current) end++;
      for (let a = start; a < end; a++) {
        const i = order[a] as number;
        const ri = norms[i] as number;
        const last = Math.min(end, a + 1 + maxBucket);
        for (let b = a + 1; b < last; b++) {
          const j = order[b] as number;
          stats.bucketPairs++;
          const rj = norms[j] as number;
          if (hamming(signatures, words, i, j, difference) > limits.at(ri, rj, slack)) continue;
          stats.hammingPassed++;
          if (collidedBefore(masks, words, t, difference)) continue;
          stats.verifiedPairs++;
          const similarity = dotRows(set.vectors, set.dims, i, j);
          if (similarity >= threshold) pairs.push({ i: Math.min(i, j), j: Math.max(i, j), similarity });
        }
      }
      start = end;
    }
  }
  pairs.sort((a, b) => a.i - b.i || a.j - b.j);
  return { pairs, stats };
}

/**
 * Each group's mean vector and every row's distance from it. Rows of one kind share much (a template's words, common
 * terms), so their raw angles are all small; measured from the group's mean, unrelated rows point every way and only
 * near-duplicates stay close. Differences, hence the pairs above the threshold, are unchanged.
 */
function centerByGroup(set: VectorSet, groups: Int32Array): { means: Float64Array; norms: Float32Array; groupCount: number } {
  const { dims, n, vectors } = set;
  let groupCount = 1;
  for (let i = 0; i < n; i++) groupCount = Math.max(groupCount, (groups[i] as number) + 1);
  const means = new Float64Array(groupCount * dims);
  const sizes = new Float64Array(groupCount);
  for (let i = 0; i < n; i++) {
    const g = groups[i] as number;
    sizes[g] = (sizes[g] as number) + 1;
    for (let d = 0; d < dims; d++) means[g * dims + d] = (means[g * dims + d] as number) + (vectors[i * dims + d] as number);
  }
  for (let g = 0; g < groupCount; g++) {
    const size = sizes[g] as number;
    if (size > 0) for (let d = 0; d < dims; d++) means[g * dims + d] = (means[g * dims + d] as number) / size;
  }
  const norms = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = groups[i] as number;
    let sum = 0;
    for (let d = 0; d < dims; d++) {
      const v = (vectors[i * dims + d] as number) - (means[g * dims + d] as number);
      sum += v * v;
    }
    norms[i] = Math.sqrt(sum);
  }
  return { means, norms, groupCount };
}

/**
 * The largest signature Hamming distance a pair above the threshold can plausibly show. Two unit rows with cosine ≥ t
 * are at most √(2(1 − t)) apart, so rows at distances rᵢ, rⱼ from their mean have a centred cosine of at least
 * (rᵢ² + rⱼ² − 2(1 − t)) / (2 rᵢ rⱼ); the limit allows three standard deviations above that angle's expected distance.
 */
const HAMMING_SIGMAS = 3;

function hammingLimits(bits: number): { at(ri: number, rj: number, slack: number): number } {
  const STEPS = 1024;
  const table = new Int32Array(STEPS + 1);
  for (let s = 0; s <= STEPS; s++) {
    const theta = Math.acos(Math.min(1, -1 + (2 * s) / STEPS)) / Math.PI;
    table[s] = Math.ceil(bits * theta + HAMMING_SIGMAS * Math.sqrt(bits * theta * (1 - theta)) + 1);
  }
  return {
    at(ri, rj, slack) {
      const product = 2 * ri * rj;
      if (product <= 1e-12) return bits;
      const cosine = (ri * ri + rj * rj - slack) / product;
      if (cosine <= -1) return bits;
      // Rounded down: a smaller cosine allows a larger distance, so the limit never undercuts the true one.
      return table[Math.floor(((Math.min(1, cosine) + 1) * STEPS) / 2)] as number;
    },
  };
}
/** Every pair with cosine ≥ threshold, by comparing all pairs within each group (the reference for LSH recall). */
export function exhaustiveSimilarPairs(set: VectorSet, threshold: number): SimilarPair[] {
  const pairs: SimilarPair[] = [];
  for (let i = 0; i < set.n; i++) {
    for (let j = i + 1; j < set.n; j++) {
      if (set.groups && set.groups[i] !== set.groups[j]) continue;
      const similarity = dotRows(set.vectors, set.dims, i, j);
      if (similarity >= threshold) pairs.push({ i, j, similarity });
    }
  }
  return pairs;
}

function* simhash(
  set: VectorSet,
  groups: Int32Array,
  means: Float64Array,
  bits: number,
  random: () => number,
  density: number,
): Generator<void, Uint32Array> {
  const { dims, n, vectors } = set;
  const words = bits >>> 5;
  // Sparse random hyperplanes (Achlioptas): each coordinate is +1 or -1 with probability density/2, else 0.
  const plus: Int32Array[] = [];
  const minus: Int32Array[] = [];
  for (let b = 0; b < bits; b++) {
    const p: number[] = [];
    const m: number[] = [];
    for (let d = 0; d < dims; d++) {
      const r = random();
      if (r < density / 2) p.push(d);
      else if (r < density) m.push(d);
    }
    plus.push(Int32Array.from(p));
    minus.push(Int32Array.from(m));
  }
  // A projection is linear: the centred row's side of a hyperplane is the row's projection minus its mean's.
  const groupCount = means.length / dims;
  const meanProjections = new Float64Array(groupCount * bits);
  for (let g = 0; g < groupCount; g++) {
    for (let b = 0; b < bits; b++) meanProjections[g * bits + b] = project(means, g * dims, plus[b] as Int32Array, minus[b] as Int32Array);
  }
  const signatures = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) {
    if (i % 4096 === 4095) yield;
    const base = i * dims;
    const offset = (groups[i] as number) * bits;
    for (let b = 0; b < bits; b++) {
      if (project(vectors, base, plus[b] as Int32Array, minus[b] as Int32Array) >= (meanProjections[offset + b] as number)) {
        const w = i * words + (b >>> 5);
        signatures[w] = ((signatures[w] as number) | (1 << (b & 31))) >>> 0;
      }
    }
  }
  return signatures;
}

function project(vectors: Float32Array | Float64Array, base: number, plus: Int32Array, minus: Int32Array): number {
  let s = 0;
  for (let x = 0; x < plus.length; x++) s += vectors[base + (plus[x] as number)] as number;
  for (let x = 0; x < minus.length; x++) s -= vectors[base + (minus[x] as number)] as number;
  return s;
}

/** Whether two signatures whose XOR is `difference` agree on every bit of a table before `table`. */
function collidedBefore(masks: Uint32Array, words: number, table: number, difference: Uint32Array): boolean {
  for (let t = 0; t < table; t++) {
    let differs = 0;
    for (let w = 0; w < words; w++) differs |= (difference[w] as number) & (masks[t * words + w] as number);
    if (differs === 0) return true;
  }
  return false;
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

/** Hamming distance of two rows' signatures; their XOR is left in `difference`. */
function hamming(signatures: Uint32Array, words: number, i: number, j: number, difference: Uint32Array): number {
  let d = 0;
  const a = i * words;
  const b = j * words;
  for (let w = 0; w < words; w++) {
    const x = ((signatures[a + w] as number) ^ (signatures[b + w] as number)) >>> 0;
    difference[w] = x;
    d += popcount32(x);
  }
  return d;
}
