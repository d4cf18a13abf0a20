import type { TaskMemory } from "@memcons/models";
import { tokenize } from "../embedding/hashing.js";
import { normalizeSentence, splitSentences } from "../text.js";
import type { SynthesisResult, Synthesizer } from "../types.js";

const PRACTICE = /\b(always|should|must|make sure|ensure|prefer|use|run|remember to|keep|pin|add|verify|check)\b/i;
const WARNING = /\b(never|avoid|don't|do not|careful|beware|warning|breaks?|fails?|crash(es)?|leaks?|regress(ion|es)?|flaky|not safe|unsafe)\b/i;
const SIMILAR_SENTENCE = 0.6;

interface Sentence {
  text: string;
  words: Set<string>;
  memory: number;
  position: number;
}

/** Offline, deterministic synthesizer: extracts the sentences a cluster agrees on, its practices and warnings, and scores agreement. */
export function createExtractiveSynthesizer(): Synthesizer {
  return {
    model: "extractive-v1",
    async synthesize(memories) {
      return synthesizeExtractive(memories);
    },
  };
}

/** The extractive synthesis of a cluster of memories. */
export function synthesizeExtractive(memories: readonly TaskMemory[]): SynthesisResult {
  const sentences: Sentence[] = [];
  memories.forEach((m, memory) => {
    const parts = [m.executionSummary, m.goal, m.result, m.feedback];
    let position = 0;
    for (const part of parts) {
      for (const text of splitSentences(part)) {
        sentences.push({ text, words: new Set(tokenize(text)), memory, position: position++ });
      }
    }
  });
  // Group sentences that say the same thing (word Jaccard >= 0.6), keeping the first wording.
  const groups: Array<{ head: Sentence; memories: Set<number> }> = [];
  const groupOf: Array<{ head: Sentence; memories: Set<number> }> = [];
  for (const s of sentences) {
    let group = groups.find((g) => jaccard(g.head.words, s.words) >= SIMILAR_SENTENCE);
    if (group) group.memories.add(s.memory);
    else {
      group = { head: s, memories: new Set([s.memory]) };
      groups.push(group);
    }
    groupOf.push(group);
  }
  const n = Math.max(memories.length, 1);
  const shared = groups
    .filter((g) => g.memories.size >= Math.max(2, Math.ceil(n / 2)))
    .sort((a, b) => b.memories.size - a.memories.size || a.head.position - b.head.position);
  const patterns = shared.map((g) => ensurePeriod(g.head.text)).slice(0, 8);
  const successRate = memories.filter((m) => m.success).length / n;
  const bestPractices = unique(
    groups
      .filter((g) => PRACTICE.test(g.head.text) && !WARNING.test(g.head.text))
      .filter((g) => memories[g.head.memory]?.success !== false)
      .map((g) => ensurePeriod(g.head.text)),
  ).slice(0, 8);
  const warnings = unique(
    groups
      .filter(
        (g) => WARNING.test(g.head.text) || memories[g.head.memory]?.memoryType === "warning",
      )
      .map((g) => ensurePeriod(g.head.text)),
  ).slice(0, 8);
  // Agreement: share of each memory's sentences that other members also state.
  const coverage =
    sentences.length === 0 ? 0 : groupOf.filter((g) => g.memories.size >= 2).length / sentences.length;
  const sizeFactor = Math.min(1, n / 5);
  const confidence = round3(clamp(0.55 * coverage + 0.3 * successRate + 0.15 * sizeFactor));
  const category = mostCommon(memories.map((m) => m.memoryType)) ?? "learning";
  const tags = rankByFrequency(memories.flatMap((m) => m.tags ?? []));
  const lead = patterns.length > 0 ? patterns : groups.slice(0, 3).map((g) => ensurePeriod(g.head.text));
  const content = [
    `Synthesis of ${memories.length} related ${category.replace(/_/g, " ")} memories.`,
    ...lead,
    ...bestPractices.filter((p) => !lead.includes(p)).map((p) => `Practice: ${p}`),
    ...warnings.filter((w) => !lead.includes(w)).map((w) => `Warning: ${w}`),
  ].join(" ");
  return {
    content,
    confidence,
    category,
    tags,
    patterns,
    best_practices: bestPractices,
    warnings,
  };
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter);
}

function ensurePeriod(s: string): string {
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

function unique(items: string[]): string[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = normalizeSentence(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function rankByFrequency(items: string[]): string[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([item]) => item);
}

function mostCommon(items: string[]): string | undefined {
  return rankByFrequency(items)[0];
}

function clamp(x: number): number {
  return Math.max(0, Math.min(1, x));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
