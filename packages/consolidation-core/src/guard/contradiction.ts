import { stem } from "../stem.js";
import { readStatements, type Statement } from "../lexicon/statement.js";
import { compareStatements } from "./statements.js";
import { type GuardToken, guardTokens, NEGATORS, negatedIndex } from "./tokens.js";

/** What separates two otherwise similar texts. */
export type ContradictionKind =
  | "negation"
  | "toggle"
  | "number"
  | "version"
  | "port"
  | "duration"
  | "identifier"
  /** A sentence says the same with another term or adds an action ("man"/"woman", "pnpm"/"npm"). */
  | "term"
  /** A sentence adds a relation ("lying on the bed" / "lying under the bed" is a toggle; "riding over" is this). */
  | "relation"
  /** A sentence swaps who does what to whom ("A copies to B" / "B copies to A"). */
  | "order";

/** Why the guard keeps two texts apart: the kind and the differing terms of each text. */
export interface ContradictionReason {
  kind: ContradictionKind;
  /** The term as it appears in the first text (e.g. "not use", "5432", "enable"). */
  a: string;
  /** The term as it appears in the second text. */
  b: string;
}

/** What the guard needs to know about one text; computed once per text by analyzeForGuard. */
export interface GuardAnalysis {
  /** Stems that follow a negation ("never run" → run). */
  negated: Set<string>;
  /** Stems that occur without a negation before them. */
  affirmed: Set<string>;
  /** Stems of every word. */
  stems: Set<string>;
  numbers: NumberMention[];
  identifiers: IdentifierMention[];
  /** The text's sentences, read for the statement comparison. */
  statements: readonly Statement[];
}

interface NumberMention {
  value: string;
  unit: string;
  kind: "number" | "version" | "port" | "duration";
  display: string;
}

interface IdentifierMention {
  text: string;
  before: string | undefined;
  after: string | undefined;
}


/** Pairs of opposite words; a pair separates two texts when each uses one side and not the other. */
const OPPOSITES: Array<[string, string]> = [
  ["enable", "disable"],
  ["enabled", "disabled"],
  ["always", "never"],
  ["increase", "decrease"],
  ["increase", "reduce"],
  ["add", "remove"],
  ["allow", "deny"],
  ["allow", "block"],
  ["allowlist", "denylist"],
  ["whitelist", "blacklist"],
  ["accept", "reject"],
  ["include", "exclude"],
  ["true", "false"],
  ["start", "stop"],
  ["open", "close"],
  ["lock", "unlock"],
  ["show", "hide"],
  ["install", "uninstall"],
  ["upgrade", "downgrade"],
  ["before", "after"],
  ["minimum", "maximum"],
  ["min", "max"],
  ["higher", "lower"],
  ["more", "less"],
  ["more", "fewer"],
  ["larger", "smaller"],
  ["bigger", "smaller"],
  ["faster", "slower"],
  ["sync", "async"],
  ["synchronous", "asynchronous"],
  ["succeed", "fail"],
  ["success", "failure"],
  ["pass", "fail"],
  ["valid", "invalid"],
  ["public", "private"],
  ["required", "optional"],
  ["mandatory", "optional"],
  ["encrypted", "unencrypted"],
  ["safe", "unsafe"],
  ["first", "last"],
  ["on", "off"],
  ["up", "down"],
  ["into", "out"],
  ["in", "out"],
];
const OPPOSITE_STEMS: Array<[string, string, string, string]> = OPPOSITES.map(([x, y]) => [stem(x), stem(y), x, y]);

const UNITS: Record<string, string> = {
  ms: "ms", millisecond: "ms", milliseconds: "ms",
  s: "s", sec: "s", secs: "s", second: "s", seconds: "s",
  min: "min", mins: "min", minute: "min", minutes: "min",
  h: "h", hr: "h", hrs: "h", hour: "h", hours: "h",
  d: "d", day: "d", days: "d", week: "w", weeks: "w",
  kb: "kb", mb: "mb", gb: "gb", tb: "tb", "%": "%", percent: "%",
};
const DURATION_UNITS = new Set(["ms", "s", "min", "h", "d", "w"]);

/** Reads the features the guard compares from one text. */
export function analyzeForGuard(text: string): GuardAnalysis {
  const tokens = guardTokens(text);
  const negated = new Set<string>();
  const affirmed = new Set<string>();
  const stems = new Set<string>();
  const negatedAt = new Set<number>();
  const words = tokens.map((token) => token.text);
  for (let i = 0; i < tokens.length; i++) {
    if (!NEGATORS.has(words[i] as string)) continue;
    const j = negatedIndex(words, i);
    if (j >= 0) {
      negatedAt.add(j);
      negated.add(stemOf(tokens[j] as GuardToken));
    }
  }
  tokens.forEach((token, i) => {
    const stem = stemOf(token);
    stems.add(stem);
    if (!negatedAt.has(i) && !NEGATORS.has(token.text)) affirmed.add(stem);
  });
  return {
    negated,
    affirmed,
    stems,
    numbers: numberMentions(tokens),
    identifiers: identifierMentions(tokens),
    statements: readStatements(text),
  };
}

/** Why two texts must not be merged (negation, opposite toggles, differing numbers, identifiers or terms, swapped roles), or null. */
export function findContradiction(a: string, b: string): ContradictionReason | null {
  return compareForGuard(analyzeForGuard(a), analyzeForGuard(b));
}

/** findContradiction on two texts already analyzed (analyze each text once when comparing many pairs). */
export function compareForGuard(a: GuardAnalysis, b: GuardAnalysis): ContradictionReason | null {
  return toggle(a, b) ?? negation(a, b) ?? numbers(a, b) ?? identifiers(a, b) ?? compareStatements(a.statements, b.statements);
}

/** One line saying why two texts were kept apart, e.g. `number: "5432" vs "5433"`. */
export function describeContradiction(reason: ContradictionReason): string {
  return `${reason.kind}: "${reason.a}" vs "${reason.b}"`;
}

function negation(a: GuardAnalysis, b: GuardAnalysis): ContradictionReason | null {
  for (const stem of a.negated) {
    if (!b.negated.has(stem) && b.affirmed.has(stem)) return { kind: "negation", a: `not ${stem}`, b: stem };
  }
  for (const stem of b.negated) {
    if (!a.negated.has(stem) && a.affirmed.has(stem)) return { kind: "negation", a: stem, b: `not ${stem}` };
  }
  return null;
}

function toggle(a: GuardAnalysis, b: GuardAnalysis): ContradictionReason | null {
  for (const [x, y, xWord, yWord] of OPPOSITE_STEMS) {
    if (a.stems.has(x) && !a.stems.has(y) && b.stems.has(y) && !b.stems.has(x)) return { kind: "toggle", a: xWord, b: yWord };
    if (a.stems.has(y) && !a.stems.has(x) && b.stems.has(x) && !b.stems.has(y)) return { kind: "toggle", a: yWord, b: xWord };
  }
  return null;
}

function numbers(a: GuardAnalysis, b: GuardAnalysis): ContradictionReason | null {
  const onlyA = a.numbers.filter((x) => !b.numbers.some((y) => sameNumber(x, y)));
  if (onlyA.length === 0) return null;
  const onlyB = b.numbers.filter((y) => !a.numbers.some((x) => sameNumber(x, y)));
  if (onlyB.length === 0) return null;
  // Report the most specific kind two unmatched mentions share (port, version, duration), else the first two.
  for (const x of onlyA) {
    const y = onlyB.find((m) => m.kind === x.kind && m.kind !== "number");
    if (y) return { kind: x.kind, a: x.display, b: y.display };
  }
  const [x, y] = [onlyA[0] as NumberMention, onlyB[0] as NumberMention];
  return { kind: x.kind === y.kind ? x.kind : "number", a: x.display, b: y.display };
}

function identifiers(a: GuardAnalysis, b: GuardAnalysis): ContradictionReason | null {
  const inB = new Set(b.identifiers.map((m) => m.text));
  const inA = new Set(a.identifiers.map((m) => m.text));
  for (const x of a.identifiers) {
    if (inB.has(x.text)) continue;
    for (const y of b.identifiers) {
      if (inA.has(y.text)) continue;
      // Same slot: the identifiers share the word before or after them ("set FOO_URL to" / "set BAR_URL to").
      if ((x.before !== undefined && x.before === y.before) || (x.after !== undefined && x.after === y.after)) {
        return { kind: "identifier", a: x.text, b: y.text };
      }
    }
  }
  return null;
}

function sameNumber(x: NumberMention, y: NumberMention): boolean {
  return x.value === y.value && (x.unit === y.unit || x.unit === "" || y.unit === "");
}

function numberMentions(tokens: GuardToken[]): NumberMention[] {
  const out: NumberMention[] = [];
  tokens.forEach((token, i) => {
    if (token.kind !== "number") return;
    const match = /^(v?)(\d+(?:[.,]\d+)*)([a-z%]*)$/.exec(token.text);
    if (!match) return;
    const [, v, digits, suffix] = match as unknown as [string, string, string, string];
    const next = tokens[i + 1];
    const unit = UNITS[suffix] ?? (suffix === "" && next ? (UNITS[next.text] ?? "") : suffix);
    const value = digits.replace(/,(?=\d{3}\b)/g, "");
    const before = tokens[i - 1]?.text;
    const kind: NumberMention["kind"] =
      before === "port"
        ? "port"
        : v === "v" || before === "version" || /\d\.\d+\.\d/.test(value)
          ? "version"
          : DURATION_UNITS.has(unit)
            ? "duration"
            : "number";
    const display = suffix === "" && unit !== "" && next ? `${token.text} ${next.text}` : token.text;
    out.push({ value, unit, kind, display });
  });
  return out;
}

function identifierMentions(tokens: GuardToken[]): IdentifierMention[] {
  const out: IdentifierMention[] = [];
  tokens.forEach((token, i) => {
    if (token.kind === "identifier") out.push({ text: token.text, before: tokens[i - 1]?.text, after: tokens[i + 1]?.text });
  });
  return out;
}

function stemOf(token: GuardToken): string {
  return token.kind === "word" ? stem(token.text) : token.text;
}
