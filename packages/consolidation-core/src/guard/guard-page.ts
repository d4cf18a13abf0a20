import { analyzeForGuard, type ContradictionReason, compareForGuard } from "./contradiction.js";

/** One page of the guard's work for a worker thread: texts by local index, and pairs of local indexes (flat). */
export interface GuardPage {
  texts: Array<string | null>;
  pairs: Int32Array;
}

/** The contradiction that keeps each pair of a page apart, or null; null too for a pair with a missing text. */
export function guardPage(page: GuardPage): Array<ContradictionReason | null> {
  const analyses = page.texts.map((text) => (text === null ? null : analyzeForGuard(text)));
  const reasons: Array<ContradictionReason | null> = [];
  for (let p = 0; p < page.pairs.length; p += 2) {
    const a = analyses[page.pairs[p] as number];
    const b = analyses[page.pairs[p + 1] as number];
    reasons.push(a && b ? compareForGuard(a, b) : null);
  }
  return reasons;
}
