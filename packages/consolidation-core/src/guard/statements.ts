import { OPPOSITE_TERMS } from "../lexicon/data.js";
import { hypernymsOf, isKindOf, LIGHT_VERB_LEMMAS, lemma } from "../lexicon/lemma.js";
import { isActionAt, isRelationAt, type Statement } from "../lexicon/statement.js";
import type { ContradictionReason } from "./contradiction.js";

const OPPOSITES = OPPOSITE_TERMS.split("|").map((entry) => entry.trim().split(" ").map(lemma) as [string, string]);
/** Two sentences are compared only when at least this share of their words (Dice) is the same. */
const ALIGNMENT = 0.5;

/**
 * Why two texts say different things sentence by sentence, or null. Each sentence of one text is compared with the
 * most similar sentence of the other: a substituted term ("man"/"woman", "pnpm"/"npm"), an added action, an added
 * relation ("on"/"under"), a negated term or swapped roles ("A copies to B"/"B copies to A") separate them. A more
 * general word ("person" for "man") or passive voice does not.
 */
export function compareStatements(a: readonly Statement[], b: readonly Statement[]): ContradictionReason | null {
  for (const x of a) {
    const y = mostSimilar(x, b);
    if (y) {
      const reason = compareAligned(x, y);
      if (reason) return reason;
    }
  }
  return null;
}

function mostSimilar(x: Statement, candidates: readonly Statement[]): Statement | null {
  let best: Statement | null = null;
  let bestScore = ALIGNMENT;
  const words = contentSet(x);
  for (const y of candidates) {
    const score = dice(words, contentSet(y));
    if (score >= bestScore) {
      best = y;
      bestScore = score;
    }
  }
  return best;
}

function compareAligned(a: Statement, b: Statement): ContradictionReason | null {
  if (a === b || keyOf(a) === keyOf(b)) return null;
  return opposite(a, b) ?? negation(a, b) ?? negation(b, a, true) ?? substitution(a, b) ?? roles(a, b);
}

function opposite(a: Statement, b: Statement): ContradictionReason | null {
  const la = new Set(a.lemmas);
  const lb = new Set(b.lemmas);
  for (const [x, y] of OPPOSITES) {
    if (la.has(x) && !la.has(y) && lb.has(y) && !lb.has(x)) return { kind: "toggle", a: x, b: y };
    if (la.has(y) && !la.has(x) && lb.has(x) && !lb.has(y)) return { kind: "toggle", a: y, b: x };
  }
  return null;
}

function negation(a: Statement, b: Statement, swapped = false): ContradictionReason | null {
  for (const x of a.negated) {
    if (b.negated.has(x)) continue;
    const y = b.lemmas.find((l) => l === x || isKindOf(l, x));
    if (y !== undefined) return swapped ? { kind: "negation", a: y, b: `not ${x}` } : { kind: "negation", a: `not ${x}`, b: y };
  }
  return null;
}

function substitution(a: Statement, b: Statement): ContradictionReason | null {
  const ca = content(a);
  const cb = content(b);
  const setA = new Set(ca);
  const setB = new Set(cb);
  const onlyA = multisetDifference(ca, cb);
  const onlyB = multisetDifference(cb, ca);
  // A more general word on the other side is no difference ("man" / "person").
  const ra = onlyA.filter((x) => !onlyB.some((y) => isKindOf(x, y)) && !hypernymsOf(x).some((h) => setB.has(h)));
  const rb = onlyB.filter((y) => !onlyA.some((x) => isKindOf(x, y)) && !hypernymsOf(y).some((h) => setA.has(h)));
  const actionsA = ra.filter((x) => isAction(a, x));
  const actionsB = rb.filter((y) => isAction(b, y));
  if (actionsA.length + actionsB.length > 0) return { kind: "term", a: actionsA.join(" "), b: actionsB.join(" ") };
  if (ra.length === 0 && rb.length === 0) {
    const relA = relationWords(a);
    const relB = relationWords(b);
    const addedA = relA.filter((x) => !relB.includes(x));
    const addedB = relB.filter((y) => !relA.includes(y));
    if (addedA.length > 0 !== addedB.length > 0) return { kind: "relation", a: addedA.join(" "), b: addedB.join(" ") };
    return null;
  }
  if (ra.length > 0 && rb.length > 0) return { kind: "term", a: ra.join(" "), b: rb.join(" ") };
  return null;
}

/**
 * Swapped roles: the shared words come in another order that is more than two neighbouring phrases trading places
 * ("A boy is pushing a man" / "A man is pushing a boy"), or the phrases that trade places hold an action ("a woman is
 * drawing a man" / "a man is drawing"). Passive voice on one side only is no swap, and neither is a moved phrase
 * ("a black dog" / "a dog, which is black"; "Use port 5432 for X" / "X uses port 5432").
 */
function roles(a: Statement, b: Statement): ContradictionReason | null {
  if (a.passive !== b.passive) return null;
  const firstA = firstPositions(a.lemmas);
  const firstB = firstPositions(b.lemmas);
  const orderA = [...firstA.keys()].filter((l) => firstB.has(l));
  const orderB = [...firstB.keys()].filter((l) => firstA.has(l));
  let start = 0;
  while (start < orderA.length && orderA[start] === orderB[start]) start++;
  if (start === orderA.length) return null;
  let end = orderA.length;
  while (orderA[end - 1] === orderB[end - 1]) end--;
  const isAction = (l: string) => isActionAt(a, firstA.get(l) as number) || isActionAt(b, firstB.get(l) as number);
  const moved = orderA.slice(start, end);
  const target = orderB.slice(start, end).join(" ");
  for (let split = 1; split < moved.length; split++) {
    if ([...moved.slice(split), ...moved.slice(0, split)].join(" ") !== target) continue;
    // A subordinate clause moving keeps the meaning ("X when Y" / "When Y, X"); one word moving past an action
    // does not ("a woman is drawing a man" / "a man is drawing"), nor do subject and object ("A and B pose for C").
    const clauses = (a.subordinate || b.subordinate) && split >= 2 && moved.length - split >= 2;
    if (clauses || !moved.some(isAction)) return null;
  }
  return { kind: "order", a: moved.join(" "), b: target };
}

function isAction(s: Statement, l: string): boolean {
  const i = s.lemmas.indexOf(l);
  return i >= 0 && isActionAt(s, i) && !LIGHT_VERB_LEMMAS.has(l);
}

const USE = lemma("use");
const WITH = lemma("with");

/** The relation words of a statement; "use" counts as "with" ("deploy using X" / "deploy with X"). */
function relationWords(s: Statement): string[] {
  return s.lemmas.flatMap((l, i) => (isRelationAt(s, i) ? [l] : l === USE ? [WITH] : []));
}

/** The lemmas that name things and actions: no relation words, no light verbs ("use", "make"). */
function content(s: Statement): string[] {
  return s.lemmas.filter((l, i) => !isRelationAt(s, i) && !LIGHT_VERB_LEMMAS.has(l));
}

function multisetDifference(xs: readonly string[], ys: readonly string[]): string[] {
  const remaining = new Map<string, number>();
  for (const y of ys) remaining.set(y, (remaining.get(y) ?? 0) + 1);
  const out: string[] = [];
  for (const x of xs) {
    const left = remaining.get(x) ?? 0;
    if (left > 0) remaining.set(x, left - 1);
    else out.push(x);
  }
  return out;
}

function dice(xs: ReadonlySet<string>, ys: ReadonlySet<string>): number {
  if (xs.size + ys.size === 0) return 1;
  let shared = 0;
  for (const x of xs) if (ys.has(x)) shared++;
  return (2 * shared) / (xs.size + ys.size);
}

const keys = new WeakMap<Statement, string>();

/** What a statement says, as one string: equal keys can hold no difference. */
function keyOf(s: Statement): string {
  let out = keys.get(s);
  if (out === undefined) {
    out = `${s.lemmas.join(" ")}|${[...s.negated].sort().join(" ")}`;
    keys.set(s, out);
  }
  return out;
}

const contentSets = new WeakMap<Statement, ReadonlySet<string>>();

/** The distinct content lemmas of a statement, computed once per statement. */
function contentSet(s: Statement): ReadonlySet<string> {
  let out = contentSets.get(s);
  if (out === undefined) {
    out = new Set(content(s));
    contentSets.set(s, out);
  }
  return out;
}

function firstPositions(lemmas: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  lemmas.forEach((l, i) => {
    if (!out.has(l)) out.set(l, i);
  });
  return out;
}
