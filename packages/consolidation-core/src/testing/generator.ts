import { seededRandom } from "../detect/random.js";
import {
  AREAS, CAUSES, COMPONENTS, DETAILS, ERRORS, FIXES, LIBRARIES, NOUNS, SYNONYMS, TEMPLATES, VERBS,
} from "./vocabulary.js";

/** A generated agent memory with its ground-truth cluster label. */
export interface SyntheticMemory {
  id: string;
  /** Ground truth: memories with the same label are paraphrases of one another. */
  label: number;
  memoryType: string;
  taskId: string;
  executionSummary: string;
  goal: string;
  result: string;
  feedback: string;
  tags: string[];
  filePaths: string[];
  success: boolean;
  reusedCount: number;
  lastReusedAt: Date | null;
  learnedAt: Date;
}

/** Settings of the synthetic generator. */
export interface GeneratorOptions {
  count: number;
  seed?: number;
  /** Share of memories that belong to a duplicate cluster (default 0.5). */
  duplicateShare?: number;
  /** Cluster sizes are uniform in [minCluster, maxCluster] (default 2..8). */
  minCluster?: number;
  maxCluster?: number;
  /** Reference time for ages (default 2026-01-01). */
  now?: Date;
}

type Slots = Record<string, string>;
const TYPES = Object.keys(TEMPLATES);

/** Generates realistic agent memories: distinct facts plus clusters of 2–8 paraphrased duplicates. */
export function generateMemories(options: GeneratorOptions): SyntheticMemory[] {
  const random = seededRandom(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const now = (options.now ?? new Date("2026-01-01T00:00:00Z")).getTime();
  const minCluster = options.minCluster ?? 2;
  const maxCluster = options.maxCluster ?? 8;
  const share = options.duplicateShare ?? 0.5;
  const out: SyntheticMemory[] = [];
  let label = 0;
  while (out.length < options.count) {
    const remaining = options.count - out.length;
    let size = 1;
    const avg = (minCluster + maxCluster) / 2;
    if (random() < share / (avg - share * (avg - 1))) {
      size = Math.min(remaining, minCluster + Math.floor(random() * (maxCluster - minCluster + 1)));
    }
    const type = pick(TYPES);
    const template = pick(TEMPLATES[type] ?? []);
    const slots = makeSlots(random, pick);
    const baseTags = uniqueList([slots.area as string, slots.component as string, type.replace(/_/g, "-"), pick(LIBRARIES)]);
    const baseFiles = uniqueList([slots.file as string, `packages/${slots.area}/test/${slots.component}.test.ts`].slice(0, 1 + Math.floor(random() * 2)));
    const learnedBase = now - Math.floor(random() * 200) * 86_400_000;
    for (let member = 0; member < size; member++) {
      const paraphrase = member > 0;
      const fill = (text: string) => render(text, slots);
      let sentences = template.summary.map(fill);
      if (paraphrase) {
        sentences = sentences.map((s) => swapSynonyms(s, random));
        if (random() < 0.5) sentences = shuffle(sentences, random);
        if (random() < 0.35) sentences.push(render(pick(DETAILS), { ...slots, n: String(2 + Math.floor(random() * 90)) }));
      }
      const alter = (s: string) => (paraphrase ? swapSynonyms(s, random) : s);
      const tags = paraphrase ? varyList(baseTags, random, `${slots.area}-${pick(["bug", "perf", "infra", "dx"])}`) : baseTags;
      const filePaths = paraphrase ? varyList(baseFiles, random, `packages/${slots.area}/src/index.ts`) : baseFiles;
      const reused = random() < 0.6 ? Math.floor(random() * 3) : 3 + Math.floor(random() * 12);
      const learnedAt = new Date(learnedBase - Math.floor(random() * 20) * 86_400_000);
      out.push({
        id: uuidFrom(random),
        label,
        memoryType: type,
        taskId: `TSK-${label}-${member}`,
        executionSummary: sentences.join(" "),
        goal: alter(fill(template.goal)),
        result: alter(fill(template.result)),
        feedback: alter(fill(template.feedback)),
        tags,
        filePaths,
        success: random() < 0.85,
        reusedCount: reused,
        lastReusedAt: reused > 0 && random() < 0.7 ? new Date(now - Math.floor(random() * 150) * 86_400_000) : null,
        learnedAt,
      });
    }
    label++;
  }
  return out;
}

function makeSlots(random: () => number, pick: <T>(items: readonly T[]) => T): Slots {
  const area = pick(AREAS);
  const component = pick(COMPONENTS);
  const fn = `${pick(VERBS)}${pick(NOUNS)}`;
  return {
    area,
    component,
    fn,
    file: `packages/${area}/src/${component}/${fn}.ts`,
    error: pick(ERRORS),
    cause: pick(CAUSES),
    fix: pick(FIXES),
    lib: pick(LIBRARIES),
    n: String(2 + Math.floor(random() * 500)),
  };
}

function render(text: string, slots: Slots): string {
  return text.replace(/\{(\w+)\}/g, (_, key: string) => slots[key] ?? key);
}

/** Each synonym pair as whole-word patterns: "fix" is swapped, the "fix" inside "fixture" is not. */
const SYNONYM_PATTERNS = SYNONYMS.map(([a, b]) => ({ a: wholeWord(a), b: wholeWord(b), toA: a, toB: b }));

function wholeWord(phrase: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])${phrase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}_])`, "u");
}

function swapSynonyms(sentence: string, random: () => number): string {
  let out = sentence;
  for (const pair of SYNONYM_PATTERNS) {
    if (random() >= 0.5) continue;
    if (pair.a.test(out)) out = out.replace(pair.a, pair.toB);
    else if (pair.b.test(out)) out = out.replace(pair.b, pair.toA);
  }
  return out;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function varyList(base: string[], random: () => number, extra: string): string[] {
  let out = base.slice();
  if (out.length > 1 && random() < 0.3) out.splice(Math.floor(random() * out.length), 1);
  if (random() < 0.3) out = uniqueList([...out, extra]);
  return out;
}

function uniqueList(items: string[]): string[] {
  return [...new Set(items)];
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
