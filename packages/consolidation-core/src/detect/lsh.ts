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
  /** Rows compared per row inside one oversized bucket (default 2048). */
  maxBucket?: number;
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
  const signatures = yield* simhash(set, bits, random);
  // Hamming filter: keep pairs whose estimated angle is within 4.5 sigma of the threshold's angle.
  const theta = Math.acos(Math.max(-1, Math.min(1, threshold))) / Math.PI;
  const maxHamming = Math.ceil(bits * theta + 4.5 * Math.sqrt(bits * theta * (1 - theta)) + 1);
  const stats: LshStats = { bucketPairs: 0, hammingPassed: 0, verifiedPairs: 0 };
  const pairs: SimilarPair[] = [];
  const { n } = set;
  const keys = new Float64Array(n);
  const tableBits = new Int32Array(k);
  // Bucket key of every row in every table: a pair is verified only in the first table where it
  // collides, which dedupes pairs without a (large) set of seen pairs.
  const bucketOf = new Uint32Array(tables * n);
  for (let t = 0; t < tables; t++) {
    yield;
    sampleBits(tableBits, bits, random);
    for (let i = 0; i < n; i++) {
      let key = 0;
      for (let b = 0; b < k; b++) {
        const bit = tableBits[b] as number;
        key = key * 2 + (((signatures[i * words + (bit >>> 5)] as number) >>> (bit & 31)) & 1);
      }
      const group = set.groups ? (set.groups[i] as number) : 0;
      bucketOf[t * n + i] = key;
      keys[i] = (group * 2 ** k + key) * n + i;
    }
    keys.sort();
    let start = 0;
    while (start < n) {
      const bucket = Math.floor((keys[start] as number) / n);
      let end = start + 1;
      while (end < n && Math.floor((keys[end] as number) / n) === bucket) end++;
      for (let a = start; a < end; a++) {
        const i = (keys[a] as number) % n;
        const last = Math.min(end, a + 1 + maxBucket);
        for (let b = a + 1; b < last; b++) {
          const j = (keys[b] as number) % n;
          stats.bucketPairs++;
          if (hamming(signatures, words, i, j) > maxHamming) continue;
          stats.hammingPassed++;
          if (collidedBefore(bucketOf, n, t, i, j)) continue;
          const lo = Math.min(i, j);
          const hi = Math.max(i, j);
          stats.verifiedPairs++;
          const similarity = dotRows(set.vectors, set.dims, lo, hi);
          if (similarity >= threshold) pairs.push({ i: lo, j: hi, similarity });
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

function* simhash(set: VectorSet, bits: number, random: () => number): Generator<void, Uint32Array> {
  const { dims, n, vectors } = set;
  const words = bits >>> 5;
  // Sparse random hyperplanes (Achlioptas): each coordinate is +1 or -1 with probability 1/6, else 0.
  const plus: Int32Array[] = [];
  const minus: Int32Array[] = [];
  for (let b = 0; b < bits; b++) {
    const p: number[] = [];
    const m: number[] = [];
    for (let d = 0; d < dims; d++) {
      const r = random();
      if (r < 1 / 6) p.push(d);
      else if (r < 1 / 3) m.push(d);
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

function collidedBefore(bucketOf: Uint32Array, n: number, table: number, i: number, j: number): boolean {
  for (let t = 0; t < table; t++) if (bucketOf[t * n + i] === bucketOf[t * n + j]) return true;
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
