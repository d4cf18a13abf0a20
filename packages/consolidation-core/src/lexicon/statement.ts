import { STOPWORDS } from "../embedding/normalize.js";
import { memoize } from "../memo.js";
import { NEGATORS, negatedIndex } from "../guard/tokens.js";
import { splitSentences } from "../text.js";
import { isIrregularForm, LIGHT_VERB_LEMMAS, lemma, lexicalWords, RELATION_WORD_SET } from "./lemma.js";

/** One sentence as the lexical embedder and the statement guard read it; shared between texts, never changed. */
export interface Statement {
  /** Lemmas of the words that carry meaning, in order. */
  readonly lemmas: readonly string[];
  /**
   * One character per lemma (compact: a job reads tens of thousands of texts): `r` a word of place or relation
   * ("in", "behind"), `a` an action in progress ("is cutting"), `m` a manner adverb ("slowly"), `w` any other word.
   * Read with isRelationAt, isActionAt and isMannerAt.
   */
  readonly roles: string;
  /** Has a subordinate clause ("when", "if", "because", …) whose place in the sentence may move. */
  readonly subordinate: boolean;
  /** Passive voice with its agent ("is being cut by a man"). */
  readonly passive: boolean;
  /** Lemmas that follow a negation ("no man" → man). */
  readonly negated: ReadonlySet<string>;
}

const EXTRA_STOPWORDS = new Set(["by", "one", "another", "other", "of", "every", "all", "both", "many", "several", "much"]);
const AVOID = lemma("avoid");
/** Words ending in "-ly" that are not manner adverbs. */
const NOT_ADVERBS = new Set(["family", "supply", "assembly", "butterfly", "monopoly", "anomaly", "italy", "only", "early", "reply", "apply", "daily", "weekly", "monthly", "yearly", "hourly", "nightly", "friendly", "likely", "lonely", "lovely", "elderly", "ugly", "holy", "jelly", "belly", "bully", "rally", "silly"]);
const SUBORDINATORS = new Set(["when", "whenever", "if", "because", "since", "after", "before", "while", "until", "unless", "once", "so", "though", "although"]);
const NOTHING_NEGATED: ReadonlySet<string> = new Set();
/** Words after which an "-ing" word is an action in progress ("is cutting", "and cutting"), not a thing ("paging"). */
const ACTION_BEFORE = new Set(["is", "are", "was", "were", "am", "be", "been", "and", "or", "while", "then", "not", "still"]);
const AUXILIARY = new Set(["is", "are", "was", "were", "be", "being", "been"]);

/** Reads one sentence: lemmas, relation words, actions, passive voice and negations. */
export function readStatement(sentence: string): Statement {
  const words = lexicalWords(sentence);
  const lemmas: string[] = [];
  let roles = "";
  const negated = new Set<string>();
  const avoided = new Set<number>();
  words.forEach((word, i) => {
    if (NEGATORS.has(word)) {
      const j = negatedIndex(words, i);
      if (j >= 0) {
        const target = lemma(words[j] as string);
        // "do not use X" says "avoid X".
        if (LIGHT_VERB_LEMMAS.has(target)) avoided.add(j);
        else negated.add(target);
      }
      if (word === "nobody") negated.add(lemma("person"));
    }
    if (STOPWORDS.has(word) || EXTRA_STOPWORDS.has(word) || NEGATORS.has(word)) return;
    lemmas.push(avoided.has(i) ? AVOID : lemma(word));
    const isRelation = RELATION_WORD_SET.has(word);
    roles += isRelation ? "r" : word.endsWith("ing") && ACTION_BEFORE.has(words[i - 1] ?? "") ? "a" : isAdverb(word) ? "m" : "w";
  });
  const passive =
    words.includes("by") &&
    words.some((w, i) => w === "being" || w === "been" || (i > 0 && AUXILIARY.has(words[i - 1] as string) && isParticiple(w)));
  const subordinate = words.some((w) => SUBORDINATORS.has(w));
  return { lemmas, roles, subordinate, passive, negated: negated.size === 0 ? NOTHING_NEGATED : negated };
}

/** Whether the lemma at `index` is a word of place or relation. */
export function isRelationAt(s: Statement, index: number): boolean {
  return s.roles.charCodeAt(index) === 114; // "r"
}

/** Whether the lemma at `index` is an action in progress. */
export function isActionAt(s: Statement, index: number): boolean {
  return s.roles.charCodeAt(index) === 97; // "a"
}

/** Whether the lemma at `index` is a manner adverb ("slowly", "carefully"). */
export function isMannerAt(s: Statement, index: number): boolean {
  return s.roles.charCodeAt(index) === 109; // "m"
}

const readRemembered = memoize(readStatement, 50_000);

/** Reads every sentence of a text; a sentence read before is not read again (statements are never changed). */
export function readStatements(text: string): Statement[] {
  return splitSentences(text).map(readRemembered);
}

function isAdverb(word: string): boolean {
  return word.length > 5 && word.endsWith("ly") && !NOT_ADVERBS.has(word);
}

function isParticiple(word: string): boolean {
  return word.endsWith("ed") || isIrregularForm(word);
}
