import { ValidationError } from "@memcons/models";
import type { Embedder } from "../types.js";
import { normalizeInPlace } from "./cosine.js";
import { addFeature as add, hashString, mix } from "./feature-hash.js";
import { hashTextV2 } from "./hashing-v2.js";
import { hashTextV3 } from "./hashing-v3.js";

/** Settings of the hashing embedder. */
export interface HashingEmbedderOptions {
  /** Vector length (default 256, 16..4096). */
  dimensions?: number;
  /**
   * Feature set: 1 = words, word bigrams and character trigrams (`hashing-v1-<dims>`); 2 = normalized
   * (contractions, number words, punctuation), Porter-stemmed words without stopwords and their bigrams
   * (`hashing-v2-<dims>`); 3 = lemmas (irregular forms, stems and synonyms as one word) plus the more general words
   * they are a kind of ("onion" → vegetable, food), read sentence by sentence (`hashing-v3-<dims>`). Default 3.
   */
  version?: 1 | 2 | 3;
}

const STOPWORDS = new Set(
  "a an the and or of to in on at for by with from into is are was were be been it its this that as so then than when which while we i our".split(
    " ",
  ),
);
const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.4;
const TRIGRAM_WEIGHT = 0.4;
const SEED_WORD = 0x811c9dc5;
const SEED_BIGRAM = 0x01000193;
const SEED_TRIGRAM = 0x5bd1e995;

/** Offline, deterministic embedder: signed feature hashing of text features (see `version`), L2-normalized. */
export function createHashingEmbedder(options: HashingEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? 256;
  const version = options.version ?? 3;
  if (version !== 1 && version !== 2 && version !== 3) {
    throw new ValidationError(`version must be 1, 2 or 3, got ${String(version)}`, [{ path: "version", message: "must be 1, 2 or 3" }]);
  }
  const embedOne = version === 3 ? hashTextV3 : version === 2 ? hashTextV2 : hashText;
  if (!Number.isInteger(dimensions) || dimensions < 16 || dimensions > 4096) {
    throw new ValidationError(`dimensions must be an integer in 16..4096, got ${dimensions}`, [
      { path: "dimensions", message: "must be an integer in 16..4096" },
    ]);
  }
  return {
    model: `hashing-v${version}-${dimensions}`,
    dimensions,
    async embed(texts, signal) {
      signal?.throwIfAborted();
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i++) {
        if (i % 512 === 511) {
          // Let timers (lease heartbeats) run during large batches.
          await new Promise<void>((resolve) => setImmediate(resolve));
          signal?.throwIfAborted();
        }
        out.push(embedOne(texts[i] ?? "", dimensions));
      }
      return out;
    },
  };
}

/** Settings of the hashing embedder whose model name this is (`hashing-v2-256` → version 2, 256 dimensions), or null. */
export function parseHashingModel(model: string): { version: 1 | 2 | 3; dimensions: number } | null {
  const match = /^hashing-v([123])-(\d+)$/.exec(model);
  if (!match) return null;
  return { version: Number(match[1]) as 1 | 2 | 3, dimensions: Number(match[2]) };
}

/** Tokens of a text: lower-case words of letters, digits and underscores, minus stopwords. */
export function tokenize(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.filter((w) => !STOPWORDS.has(w));
}

/** Embeds one text into a unit vector of `dimensions` floats. */
export function hashText(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  const lower = text.toLowerCase();
  let previousHash = 0;
  let hasPrevious = false;
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    if (isWordChar(c, lower, i)) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    const token = lower.slice(start, i);
    start = -1;
    if (STOPWORDS.has(token)) continue;
    const wordHash = hashString(token, SEED_WORD);
    add(v, wordHash, WORD_WEIGHT);
    if (hasPrevious) add(v, mix(Math.imul(previousHash ^ wordHash, 0x01000193) ^ SEED_BIGRAM), BIGRAM_WEIGHT);
    previousHash = wordHash;
    hasPrevious = true;
    addTrigrams(v, token);
  }
  return normalizeInPlace(v);
}

function isWordChar(c: number, text: string, i: number): boolean {
  if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95) return true;
  if (c < 128) return false;
  return /[\p{L}\p{N}]/u.test(text[i] as string);
}

function addTrigrams(v: Float32Array, token: string): void {
  // Boundary-marked trigrams: " ab", "abc", ..., "yz ".
  let a = 32;
  let b = token.charCodeAt(0);
  for (let i = 1; i <= token.length; i++) {
    const c = i < token.length ? token.charCodeAt(i) : 32;
    let h = Math.imul(SEED_TRIGRAM ^ a, 0x01000193);
    h = Math.imul(h ^ b, 0x01000193);
    h = Math.imul(h ^ c, 0x01000193);
    add(v, mix(h), TRIGRAM_WEIGHT);
    a = b;
    b = c;
  }
}

