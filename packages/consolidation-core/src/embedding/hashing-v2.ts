import { normalizeInPlace } from "./cosine.js";
import { addFeature as add, hashString } from "./feature-hash.js";
import { normalizedStems } from "./normalize.js";

/** Feature weights of hashing-v2 (exported for measurement; the defaults are what the embedder uses). */
export interface HashingV2Tuning {
  /** Weight of a stem pair that follows each other, times the geometric mean of their word weights. */
  bigram: number;
  /** Weight of each boundary-marked character trigram of a stem, times the stem's word weight. */
  trigram: number;
  /** Word weight of a stem (1 for rare words, less for common ones). */
  weight: (stem: string) => number;
}

/** Default tuning: stopwords are the only down-weighted words (a shipped frequency table and per-corpus IDF both lowered precision). */
export const HASHING_V2_TUNING: HashingV2Tuning = { bigram: 0.5, trigram: 0, weight: () => 1 };

const SEED_WORD = 0x9e3779b9;
const SEED_BIGRAM = 0x7f4a7c15;
const SEED_TRIGRAM = 0x2545f491;

/** Embeds one text with hashing-v2: normalized, stemmed, common words down-weighted, signed feature hashing. */
export function hashTextV2(text: string, dimensions: number, tuning: HashingV2Tuning = HASHING_V2_TUNING): Float32Array {
  const v = new Float32Array(dimensions);
  const stems = normalizedStems(text);
  let previous: string | null = null;
  let previousWeight = 0;
  for (const s of stems) {
    const w = tuning.weight(s);
    add(v, hashString(s, SEED_WORD), w);
    if (previous !== null && tuning.bigram > 0) {
      add(v, hashString(`${previous} ${s}`, SEED_BIGRAM), tuning.bigram * Math.sqrt(w * previousWeight));
    }
    if (tuning.trigram > 0) {
      const marked = ` ${s} `;
      for (let i = 0; i + 3 <= marked.length; i++) add(v, hashString(marked.slice(i, i + 3), SEED_TRIGRAM), tuning.trigram * w);
    }
    previous = s;
    previousWeight = w;
  }
  return normalizeInPlace(v);
}
