import { expandContractions, numberWordToDigits } from "../guard/tokens.js";
import { stem } from "../stem.js";

/** Words too common to tell two memories apart; never negations, which change meaning. */
export const STOPWORDS = new Set(
  (
    "a an the and or of to for is are was were be been being am it its this that these those " +
    "as so then than when which while we i our us you your he she they them their his her there here what who whom whose " +
    "do does did has have had having will would shall should can could may might must also just very too some any each " +
    "again further once s"
  ).split(" "),
);

const APOSTROPHES = /['’]/g;
const SUFFIXES: Array<[RegExp, string]> = [
  [/\b(\w+)['’]re\b/gi, "$1 are"],
  [/\b(\w+)['’]ve\b/gi, "$1 have"],
  [/\b(\w+)['’]ll\b/gi, "$1 will"],
  [/\b(\w+)['’]d\b/gi, "$1 would"],
  [/\bi['’]m\b/gi, "i am"],
  [/\b(\w+)['’]s\b/gi, "$1"],
  [/(^|\s)['’](re|ve|ll|d|m|s)\b/gi, "$1"],
];

/**
 * Normalized stems of a text, in order: contractions expanded ("isn't" → "is not"), number words as digits,
 * punctuation dropped (inside numbers and code-like tokens kept), lower-cased, stopwords removed, Porter-stemmed.
 */
export function normalizedStems(text: string): string[] {
  let s = expandContractions(text.replace(/\s+n['’]t\b/gi, "n't"));
  for (const [pattern, replacement] of SUFFIXES) s = s.replace(pattern, replacement);
  s = s.replace(APOSTROPHES, " ").toLowerCase();
  const out: string[] = [];
  for (const match of s.matchAll(/[\p{L}\p{N}_]+(?:[.:/\-_][\p{L}\p{N}_]+)*/gu)) {
    const word = numberWordToDigits(match[0]);
    if (STOPWORDS.has(word)) continue;
    out.push(/^[\p{L}]+$/u.test(word) ? stem(word) : word);
  }
  return out;
}
