import { stemmer } from "stemmer";
import { memoize } from "./memo.js";

const stemMemo = memoize(stemmer);

/** Porter stem of a lower-case English word ("enabled" → "enabl"), memoized. */
export function stem(word: string): string {
  return stemMemo(word);
}
