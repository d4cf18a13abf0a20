import { hypernymsOf } from "../lexicon/lemma.js";
import { memoize } from "../memo.js";
import { isMannerAt, readStatements } from "../lexicon/statement.js";
import { normalizeInPlace } from "./cosine.js";
import { addFeature as add, hashString } from "./feature-hash.js";

/**
 * Weight of the nearest more general word of a lemma ("person" for "man"), and the share each further one keeps.
 * The general word weighs a little more than the word itself: the embedder should find "a man" and "a person"
 * alike, and the guard keeps siblings ("a man" / "a woman") apart.
 */
const HYPERNYM_WEIGHT = 1.1;
const HYPERNYM_DECAY = 0.8;
/** Weight of a manner adverb ("slowly"): it seldom changes what a sentence says. */
const MANNER_WEIGHT = 0.5;
const SEED_LEMMA = 0x3c6ef372;
const SEED_PART = 0x1b873593;
/** Weight of each part of a code-like token. */
const PART_WEIGHT = 1;

/** Embeds one text with hashing-v3: lemmas (irregular forms, stems, synonyms) plus their more general words, hashed. */
export function hashTextV3(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (const statement of readStatements(text)) {
    statement.lemmas.forEach((l, i) => {
      const scale = isMannerAt(statement, i) ? MANNER_WEIGHT : 1;
      for (const feature of featuresOf(l)) add(v, feature.hash, feature.weight * scale);
    });
  }
  return normalizeInPlace(v);
}

interface Feature {
  hash: number;
  weight: number;
}

/** The hashed features of one lemma: itself, its parts if it is code-like, and its more general words. */
const featuresOf = memoize((l: string): Feature[] => {
  const out: Feature[] = [{ hash: hashString(l, SEED_LEMMA), weight: 1 }];
  // A code-like token also adds its parts ("src/api/users.ts" → src, api, users, ts).
  for (const part of identifierParts(l)) out.push({ hash: hashString(part, SEED_PART), weight: PART_WEIGHT });
  let weight = HYPERNYM_WEIGHT;
  for (const general of hypernymsOf(l)) {
    out.push({ hash: hashString(general, SEED_LEMMA), weight });
    weight *= HYPERNYM_DECAY;
  }
  return out;
});

/** Parts of a code-like token (paths, dotted and snake_case names; lemmas are lower case); none for a plain word. */
function identifierParts(token: string): string[] {
  if (!/[./:_-]/.test(token)) return [];
  return token
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => part.length > 1);
}
