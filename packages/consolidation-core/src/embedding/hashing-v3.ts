import { hypernymsOf } from "../lexicon/lemma.js";
import { readStatements } from "../lexicon/statement.js";
import { normalizeInPlace } from "./cosine.js";
import { hashString } from "./hashing.js";

/** Weight of the nearest more general word of a lemma ("person" for "man"); each further one gets this share again. */
const HYPERNYM_WEIGHT = 0.7;
const SEED_LEMMA = 0x3c6ef372;
const SEED_PART = 0x1b873593;
/** Weight of each part of a code-like token. */
const PART_WEIGHT = 0.5;

/** Embeds one text with hashing-v3: lemmas (irregular forms, stems, synonyms) plus their more general words, hashed. */
export function hashTextV3(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (const statement of readStatements(text)) {
    for (const l of statement.lemmas) {
      for (const feature of featuresOf(l)) add(v, feature.hash, feature.weight);
    }
  }
  return normalizeInPlace(v);
}

interface Feature {
  hash: number;
  weight: number;
}

const MAX_CACHED = 100_000;
const featureCache = new Map<string, Feature[]>();

/** The hashed features of one lemma: itself and its more general words, each weaker than the last. */
function featuresOf(l: string): Feature[] {
  let out = featureCache.get(l);
  if (out === undefined) {
    if (featureCache.size >= MAX_CACHED) featureCache.clear();
    out = [{ hash: hashString(l, SEED_LEMMA), weight: 1 }];
    // A code-like token also adds its parts ("src/api/userStore.ts" → src, api, user, store, ts).
    const parts = identifierParts(l);
    for (const part of parts) out.push({ hash: hashString(part, SEED_PART), weight: PART_WEIGHT });
    let weight = HYPERNYM_WEIGHT;
    for (const general of hypernymsOf(l)) {
      out.push({ hash: hashString(general, SEED_LEMMA), weight });
      weight *= HYPERNYM_WEIGHT;
    }
    featureCache.set(l, out);
  }
  return out;
}

function add(v: Float32Array, hash: number, weight: number): void {
  const index = (hash >>> 0) % v.length;
  v[index] = (v[index] as number) + (hash & 0x80000000 ? -weight : weight);
}

/** Parts of a code-like token (paths, dotted and snake_case names; lemmas are lower case); none for a plain word. */
function identifierParts(token: string): string[] {
  if (!/[./:_-]/.test(token)) return [];
  return token
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => part.length > 1);
}
