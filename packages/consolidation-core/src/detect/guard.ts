import { queryRows, uuidArray } from "@memcons/models";
import { sql } from "drizzle-orm";
import { type PhaseContext, checkAborted } from "../phase-context.js";
import { analyzeForGuard, type ContradictionReason, compareForGuard, type GuardAnalysis } from "../guard/contradiction.js";
import { memoryText } from "../text.js";
import type { SimilarPair } from "./lsh.js";

/** A similar pair the contradiction guard kept apart. */
export interface StoppedPair {
  /** Ids of the two memories (in candidate order). */
  ids: [string, string];
  /** Their cosine similarity. */
  similarity: number;
  reason: ContradictionReason;
}

/** Similar pairs split into the ones clustering may use and the ones the guard stopped. */
export interface GuardedPairs {
  kept: SimilarPair[];
  stopped: StoppedPair[];
}

const TEXT_PAGE = 5000;
const YIELD_EVERY = 2000;

interface TextRow extends Record<string, unknown> {
  id: string;
  execution_summary: string | null;
  goal: string | null;
  result: string | null;
  feedback: string | null;
}

/**
 * Removes the pairs whose texts contradict each other (negation, opposite toggles, differing numbers or identifiers).
 * Rows joined by similar pairs are read together, a page of such groups at a time, so only one page's texts and
 * analyses are held however many rows take part.
 */
export async function separateContradictions(
  ctx: PhaseContext,
  ids: readonly string[],
  pairs: readonly SimilarPair[],
): Promise<GuardedPairs> {
  if (pairs.length === 0) return { kept: [], stopped: [] };
  const reasons: Array<ContradictionReason | null> = new Array(pairs.length).fill(null);
  let compared = 0;
  for (const page of pagesOfConnectedRows(ids.length, pairs, TEXT_PAGE)) {
    checkAborted(ctx);
    const analyses = await analyzeRows(ctx, ids, page.rows);
    for (const k of page.pairs) {
      if (++compared % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const pair = pairs[k] as SimilarPair;
      const a = analyses.get(pair.i);
      const b = analyses.get(pair.j);
      // A row that vanished meanwhile is left to the merge, which re-checks every member anyway.
      reasons[k] = a && b ? compareForGuard(a, b) : null;
    }
  }
  const kept: SimilarPair[] = [];
  const stopped: StoppedPair[] = [];
  pairs.forEach((pair, k) => {
    const reason = reasons[k];
    if (reason) stopped.push({ ids: [ids[pair.i] as string, ids[pair.j] as string], similarity: pair.similarity, reason });
    else kept.push(pair);
  });
  return { kept, stopped };
}

/** Reads and analyzes the texts of some rows (by candidate index). */
async function analyzeRows(ctx: PhaseContext, ids: readonly string[], rows: readonly number[]): Promise<Map<number, GuardAnalysis>> {
  const indexOf = new Map(rows.map((i) => [ids[i] as string, i]));
  const texts = await queryRows<TextRow>(ctx.db.orm,
    sql`SELECT t.id, t.execution_summary, t.goal, t.result, t.feedback FROM memcons.task_memories t
        WHERE t.id = ANY(${uuidArray(rows.map((i) => ids[i] as string))})`,
  );
  const analyses = new Map<number, GuardAnalysis>();
  for (const row of texts) {
    const text = memoryText({ executionSummary: row.execution_summary ?? "", goal: row.goal, result: row.result, feedback: row.feedback });
    analyses.set(indexOf.get(row.id) as number, analyzeForGuard(text));
  }
  return analyses;
}

/**
 * Groups the rows the pairs join into connected groups and packs whole groups into pages of about `size` rows (a
 * larger group is a page of its own). Each page lists its rows and the indexes of the pairs inside it.
 */
export function pagesOfConnectedRows(
  n: number,
  pairs: readonly SimilarPair[],
  size: number,
): Array<{ rows: number[]; pairs: number[] }> {
  const parent = new Int32Array(n).fill(-1);
  const find = (x: number): number => {
    let root = x;
    while ((parent[root] as number) !== root) root = parent[root] as number;
    while ((parent[x] as number) !== root) {
      const next = parent[x] as number;
      parent[x] = root;
      x = next;
    }
    return root;
  };
  for (const { i, j } of pairs) {
    if (parent[i] === -1) parent[i] = i;
    if (parent[j] === -1) parent[j] = j;
    const [a, b] = [find(i), find(j)];
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const groups = new Map<number, { rows: number[]; pairs: number[] }>();
  pairs.forEach(({ i }, k) => {
    const root = find(i);
    let group = groups.get(root);
    if (!group) {
      group = { rows: [], pairs: [] };
      groups.set(root, group);
    }
    group.pairs.push(k);
  });
  for (let x = 0; x < n; x++) if (parent[x] !== -1) groups.get(find(x))?.rows.push(x);
  const pages: Array<{ rows: number[]; pairs: number[] }> = [];
  let page = { rows: [] as number[], pairs: [] as number[] };
  for (const group of groups.values()) {
    if (page.rows.length > 0 && page.rows.length + group.rows.length > size) {
      pages.push(page);
      page = { rows: [], pairs: [] };
    }
    for (const row of group.rows) page.rows.push(row);
    for (const k of group.pairs) page.pairs.push(k);
  }
  if (page.rows.length > 0) pages.push(page);
  return pages;
}
