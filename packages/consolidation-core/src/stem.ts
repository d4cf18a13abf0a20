import { stemmer } from "stemmer";

const MAX_CACHED = 100_000;
const cache = new Map<string, string>();

/** Porter stem of a lower-case English word ("enabled" → "enabl"), memoized. */
export function stem(word: string): string {
  let out = cache.get(word);
  if (out === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    out = stemmer(word);
    cache.set(word, out);
  }
  return out;
}
