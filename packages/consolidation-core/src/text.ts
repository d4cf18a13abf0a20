import type { TaskMemory } from "@memcons/models";

/** Fields of a memory that carry its text. */
export type MemoryTextFields = Pick<TaskMemory, "executionSummary" | "goal" | "result" | "feedback">;

/** The text of a memory that gets embedded: summary, goal, result and feedback, one per line. */
export function memoryText(m: MemoryTextFields): string {
  return [m.executionSummary, m.goal, m.result, m.feedback]
    .filter((part): part is string => typeof part === "string" && part.trim().length > 0)
    .map((part) => part.trim())
    .join("\n");
}

const SENTENCE_END = /(?<=[.!?])\s+|\n+/;

/** Splits text into trimmed, non-empty sentences (on . ! ? followed by space, and on newlines). */
export function splitSentences(text: string | null | undefined): string[] {
  if (!text) return [];
  return text
    .split(SENTENCE_END)
    .map((s) => s.trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

/** Canonical form of a sentence for de-duplication: lower case, single spaces, no trailing punctuation. */
export function normalizeSentence(sentence: string): string {
  return sentence
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/[\s.!?;:,]+$/u, "")
    .trim();
}

/** Joins the distinct sentences of several texts in first-seen order, each ending in punctuation. */
export function mergeDistinctSentences(texts: ReadonlyArray<string | null | undefined>): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const text of texts) {
    for (const sentence of splitSentences(text)) {
      const key = normalizeSentence(sentence);
      if (key.length === 0 || seen.has(key)) continue;
      seen.add(key);
      out.push(/[.!?]$/.test(sentence) ? sentence : `${sentence}.`);
    }
  }
  return out.join(" ");
}

/** The set of normalized sentences of a text. */
export function sentenceSet(text: string | null | undefined): Set<string> {
  return new Set(splitSentences(text).map(normalizeSentence).filter((s) => s.length > 0));
}

/** Union of string lists in first-seen order, without duplicates or blanks. */
export function unionInOrder(lists: ReadonlyArray<ReadonlyArray<string> | null | undefined>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of lists) {
    for (const item of list ?? []) {
      if (item.length === 0 || seen.has(item)) continue;
      seen.add(item);
      out.push(item);
    }
  }
  return out;
}
