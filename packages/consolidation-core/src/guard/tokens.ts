/** A token of a text as the contradiction guard reads it. */
export interface GuardToken {
  /** Lower-case text of the token. */
  text: string;
  /** word, number (digits, with an optional unit), or identifier (code-like: paths, snake_case, camelCase, dotted names). */
  kind: "word" | "number" | "identifier";
}

const CONTRACTIONS: Array<[RegExp, string]> = [
  [/\bcan['’]t\b/gi, "can not"],
  [/\bwon['’]t\b/gi, "will not"],
  [/\bshan['’]t\b/gi, "shall not"],
  [/\bain['’]t\b/gi, "is not"],
  [/\b(\w+)n['’]t\b/gi, "$1 not"],
  [/\bcannot\b/gi, "can not"],
];
/** Every contraction has an apostrophe, or is "cannot": a text without either has none to expand. */
const CONTRACTION_HINT = /['’]|cannot/i;

const NUMBER_WORDS: Record<string, string> = {
  zero: "0",
  one: "1",
  two: "2",
  three: "3",
  four: "4",
  five: "5",
  six: "6",
  seven: "7",
  eight: "8",
  nine: "9",
  ten: "10",
  eleven: "11",
  twelve: "12",
  thirteen: "13",
  fourteen: "14",
  fifteen: "15",
  sixteen: "16",
  seventeen: "17",
  eighteen: "18",
  nineteen: "19",
  twenty: "20",
  thirty: "30",
  forty: "40",
  fifty: "50",
  sixty: "60",
  seventy: "70",
  eighty: "80",
  ninety: "90",
  hundred: "100",
  thousand: "1000",
};

/** Words that negate the word after them. */
export const NEGATORS: ReadonlySet<string> = new Set([
  "not", "never", "no", "without", "none", "nothing", "nobody", "nowhere", "neither", "nor",
]);
/** Words skipped between a negation and the word it negates ("not be used", "never to call", "none of the kids"). */
const NEGATION_SKIP = new Set([
  "be", "been", "being", "to", "a", "an", "the", "ever", "even", "really", "yet", "any", "of", "so", "very", "too",
  "just", "also", "quite", "all", "at", "longer", "this", "that", "these", "those", "it", "its", "them",
]);

/** Index of the word the negation at `at` negates ("never to call it" → call), or -1 when none follows. */
export function negatedIndex(words: readonly string[], at: number): number {
  let j = at + 1;
  while (j < words.length && NEGATION_SKIP.has(words[j] as string)) j++;
  return j < words.length && !NEGATORS.has(words[j] as string) ? j : -1;
}

/** Spelled-out numbers ("two", "twelve") as digits; other words unchanged. */
export function numberWordToDigits(word: string): string {
  return NUMBER_WORD_MAP.get(word) ?? word;
}

const NUMBER_WORD_MAP = new Map(Object.entries(NUMBER_WORDS));

/** Expands English negative contractions: "don't" → "do not", "can't" → "can not", "won't" → "will not". */
export function expandContractions(text: string): string {
  if (!CONTRACTION_HINT.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of CONTRACTIONS) out = out.replace(pattern, replacement);
  return out;
}

// Backticked code, then runs of word characters joined by . / : _ - (never ending in one of them).
const TOKEN = /`([^`]+)`|[\p{L}\p{N}_$@]+(?:[./:\-_][\p{L}\p{N}_$@]+)*/gu;
const NUMBER = /^v?\d+(?:[.,]\d+)*[a-z%]*$/;

/** Splits a text into guard tokens: contractions expanded, number words as digits, code-like tokens kept whole. */
export function guardTokens(text: string): GuardToken[] {
  const out: GuardToken[] = [];
  for (const match of expandContractions(text).matchAll(TOKEN)) {
    const raw = match[1] ?? match[0];
    const lower = raw.toLowerCase();
    if (match[1] !== undefined) {
      out.push({ text: lower.trim(), kind: "identifier" });
    } else if (NUMBER.test(lower)) {
      out.push({ text: lower, kind: "number" });
    } else if (isIdentifier(raw)) {
      out.push({ text: lower, kind: "identifier" });
    } else {
      const digits = numberWordToDigits(lower);
      out.push({ text: digits, kind: digits === lower ? "word" : "number" });
    }
  }
  return out;
}

function isIdentifier(raw: string): boolean {
  // ASCII fast path (most tokens): a separator, a lower-then-upper letter (camelCase), or letters and digits mixed.
  let letter = false;
  let digit = false;
  let lower = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      letter = true;
      lower = true;
    } else if (c >= 65 && c <= 90) {
      if (lower) return true;
      letter = true;
    } else if (c >= 48 && c <= 57) {
      digit = true;
      lower = false;
    } else if (c === 95 || c === 46 || c === 47 || c === 58 || c === 36 || c === 64) {
      return true;
    } else if (c >= 128) {
      return isIdentifierUnicode(raw);
    } else {
      lower = false;
    }
  }
  return letter && digit;
}

function isIdentifierUnicode(raw: string): boolean {
  if (/[_./:$@]/.test(raw)) return true;
  if (/\p{Ll}\p{Lu}/u.test(raw)) return true; // camelCase
  return /\p{L}/u.test(raw) && /\p{N}/u.test(raw); // utf8, es2022, sha256
}
