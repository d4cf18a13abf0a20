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

/** Tuning of the random-hyperplane LSH; the defaults keep recall ≥ 0.99 at thresholds ≥ 0.85. */
export interface LshOptions {
  /** Signature length in bits (multiple of 32, default 256). */
  signatureBits?: number;
  /** Hash tables (default 56). */
  tables?: number;
  /** Signature bits per table key (default 16). */
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
  const tables = options.tables ?? 56;
  const k = options.bitsPerTable ?? 16;
  const maxBucket = options.maxBucket ?? 2048;
  const random = seededRandom(options.seed ?? 0x5eed);
  const words = bits >>> 5;
  const signatures = yield* simhash(set, bits, random, options.projectionDensity ?? 1 / 8);
  // Hamming filter: keep pairs whose estimated angle is within 4.5 sigma of the threshold's angle.
  const theta = Math.acos(Math.max(-1, Math.min(1, threshold))) / Math.PI;
  const maxHamming = Math.ceil(bits * theta + 4.5 * Math.sqrt(bits * theta * (1 - theta)) + 1);
  const stats: LshStats = { bucketPairs: 0, hammingPassed: 0, verifiedPairs: 0 };
  const pairs: SimilarPair[] = [];
  const { n } = set;
  const tableBits = new Int32Array(k);
  let groupCount = 1;
  if (set.groups) for (let i = 0; i < n; i++) groupCount = Math.max(groupCount, (set.groups[i] as number) + 1);
  // Counting sort by bucket (group, key): no comparisons, rows of one bucket end up adjacent.
  const counts = new Int32Array(groupCount * 2 ** k + 1);
  const bucket = new Int32Array(n);
  const order = new Int32Array(n);
  // Key of every row in every table (row-major): a pair is verified only in the first table where it
  // collides, which dedupes pairs without a large set of seen pairs.
  const bucketOf = new Uint32Array(n * tables);
  for (let t = 0; t < tables; t++) {
    yield;
    sampleBits(tableBits, bits, random);
    for (let i = 0; i < n; i++) {
      let key = 0;
      const base = i * words;
      for (let b = 0; b < k; b++) {
        const bit = tableBits[b] as number;
        key = (key << 1) | (((signatures[base + (bit >>> 5)] as number) >>> (bit & 31)) & 1);
      }
      bucketOf[i * tables + t] = key;
      bucket[i] = (set.groups ? (set.groups[i] as number) : 0) * 2 ** k + key;
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
        const last = Math.min(end, a + 1 + maxBucket);
        for (let b = a + 1; b < last; b++) {
          const j = order[b] as number;
          stats.bucketPairs++;
          if (hamming(signatures, words, i, j) > maxHamming) continue;
          stats.hammingPassed++;
          if (collidedBefore(bucketOf, tables, t, i, j)) continue;
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

function* simhash(set: VectorSet, bits: number, random: () => number, density: number): Generator<void, Uint32Array> {
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
  const signatures = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) {
    if (i % 4096 === 4095) yield;
    const base = i * dims;
    for (let b = 0; b < bits; b++) {
      let s = 0;
      const p = plus[b] as Int32Array;
      const m = minus[b] as Int32Array;
      for (let x = 0; x < p.length; x++) s += vectors[base + (p[x] as number)] as number;
      for (let x = 0; x < m.length; x++) s -= vectors[base + (m[x] as number)] as number;
      if (s >= 0) {
        const w = i * words + (b >>> 5);
        signatures[w] = ((signatures[w] as number) | (1 << (b & 31))) >>> 0;
      }
    }
  }
  return signatures;
}

function collidedBefore(bucketOf: Uint32Array, tables: number, table: number, i: number, j: number): boolean {
  const a = i * tables;
  const b = j * tables;
  for (let t = 0; t < table; t++) if (bucketOf[a + t] === bucketOf[b + t]) return true;
  return false;
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

function hamming(signatures: Uint32Array, words: number, i: number, j: number): number {
  let d = 0;
  const a = i * words;
  const b = j * words;
  for (let w = 0; w < words; w++) d += popcount32(((signatures[a + w] as number) ^ (signatures[b + w] as number)) >>> 0);
  return d;
}
