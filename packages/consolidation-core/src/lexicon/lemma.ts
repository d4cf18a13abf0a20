import { expandContractions, numberWordToDigits } from "../guard/tokens.js";
import { memoize } from "../memo.js";
import { stem } from "../stem.js";
import {
  DERIVED_WORDS,
  HYPERNYMS,
  IRREGULAR_NOUNS,
  IRREGULAR_VERBS,
  LIGHT_VERBS,
  PHRASES,
  RELATION_WORDS,
  SYNONYM_GROUPS,
} from "./data.js";

const lemmaMemo = memoize((word) => {
  const stemmed = stemOf(word);
  return canonical.get(stemmed) ?? stemmed;
});
const entries = (list: string) => list.split("|").map((entry) => entry.trim().split(" "));

const baseForm = new Map<string, string>();
for (const [base, ...forms] of entries(IRREGULAR_VERBS)) for (const form of forms) if (form !== base) baseForm.set(form, base as string);
for (const [singular, ...plurals] of entries(IRREGULAR_NOUNS)) for (const plural of plurals) baseForm.set(plural, singular as string);
for (const [derived, base] of entries(DERIVED_WORDS)) baseForm.set(derived as string, base as string);

const canonical = new Map<string, string>();
for (const group of entries(SYNONYM_GROUPS)) {
  const head = stemOf(group[0] as string);
  for (const word of group) canonical.set(stemOf(word), head);
}
const parent = new Map<string, string>();
for (const [word, general] of entries(HYPERNYMS)) {
  const [from, to] = [lemma(word as string), lemma(general as string)];
  if (from !== to) parent.set(from, to);
}

/** Relation words ("in", "behind") as they are written. */
export const RELATION_WORD_SET: ReadonlySet<string> = new Set(RELATION_WORDS.split(" "));
/** Lemmas of verbs too general to name an action ("use", "make"). */
export const LIGHT_VERB_LEMMAS: ReadonlySet<string> = new Set(LIGHT_VERBS.split(" ").map((w) => lemma(w)));

function stemOf(word: string): string {
  const base = baseForm.get(word) ?? adverbBase(word);
  // Porter keeps "add" but stems "added" to "ad": a final doubled consonant is dropped so both meet.
  return stem(base).replace(/([^aeiouylsz])\1$/, "$1");
}

/** An adverb's adjective ("quickly" → quick, "happily" → happy); other words unchanged. */
function adverbBase(word: string): string {
  if (word.length <= 5 || !word.endsWith("ly")) return word;
  return word.endsWith("ily") ? `${word.slice(0, -3)}y` : word.slice(0, -2);
}

/** Whether a word is an irregular past form or plural ("ridden", "men"). */
export function isIrregularForm(word: string): boolean {
  return baseForm.has(word);
}

/** The lemma of a lower-case word: irregular forms to their base, Porter-stemmed, synonyms to one word ("sliced" → "cut"). */
export function lemma(word: string): string {
  return lemmaMemo(word);
}

/** Lemmas of the more general words a lemma is a kind of, nearest first ("onion" → vegetable, food). */
export function hypernymsOf(lemmaOfWord: string): string[] {
  const out: string[] = [];
  for (let next = parent.get(lemmaOfWord); next !== undefined && out.length < 4 && !out.includes(next); next = parent.get(next)) out.push(next);
  return out;
}

/** Whether one lemma is a kind of the other ("man" and "person"). */
export function isKindOf(a: string, b: string): boolean {
  return hypernymsOf(a).includes(b) || hypernymsOf(b).includes(a);
}

const PHRASE_MAP = new Map(PHRASES.map(([phrase, replacement]) => [phrase, replacement]));
const PHRASE_PATTERN = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${PHRASES.map(([p]) => p).join("|")})(?![\\p{L}\\p{N}_])`, "gu");
const WORD = /[\p{L}\p{N}_]+(?:[.:/\-_][\p{L}\p{N}_]+)*/gu;

/** Lower-case words of a text: contractions expanded, phrases rewritten, possessives dropped, number words as digits. */
export function lexicalWords(text: string): string[] {
  const words = expandContractions(text).toLowerCase().replace(/['’]s\b/g, "").match(WORD) ?? [];
  const joined = words.join(" ");
  const rewritten = PHRASE_PATTERN.test(joined) ? joined.replace(PHRASE_PATTERN, (p) => PHRASE_MAP.get(p) ?? p).split(" ") : words;
  return rewritten.map((w) => (w === "one" ? w : numberWordToDigits(w)));
}
