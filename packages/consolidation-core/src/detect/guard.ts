import { queryRows, uuidArray } from "@memcons/models";
import { sql } from "drizzle-orm";
import { type PhaseContext, checkAborted } from "../phase-context.js";
import type { ContradictionReason } from "../guard/contradiction.js";
import { type GuardPage, guardPage } from "../guard/guard-page.js";
import { memoryText } from "../text.js";
import { PooledTasks, TaskPool } from "../threads/task-pool.js";
import { THREADED_MIN_ROWS, threadCount, workerScript } from "../threads/threads.js";
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
  /** Threads that analyzed the texts (1: the calling thread alone). */
  threads: number;
}

const TEXT_PAGE = 5000;

interface TextRow extends Record<string, unknown> {
  id: string;
  execution_summary: string | null;
  goal: string | null;
  result: string | null;
  feedback: string | null;
}

/**
 * Removes the pairs whose texts contradict each other (negation, opposite toggles, differing numbers or identifiers).
 * Rows joined by similar pairs are read together, a page of such groups at a time, so only a few pages' texts and
 * analyses are held however many rows take part; from 20,000 rows the pages are analyzed on worker threads.
 */
export async function separateContradictions(
  ctx: PhaseContext,
  ids: readonly string[],
  pairs: readonly SimilarPair[],
): Promise<GuardedPairs> {
  if (pairs.length === 0) return { kept: [], stopped: [], threads: 1 };
  const reasons: Array<ContradictionReason | null> = new Array(pairs.length).fill(null);
  // Large sets are analyzed on worker threads, a page per task, while the next page's texts are read.
  const script = ids.length >= THREADED_MIN_ROWS ? workerScript("guard-worker") : null;
  const threads = threadCount(ctx.threads, ids.length);
  const pool = script && threads > 1 ? new TaskPool<GuardPage, Array<ContradictionReason | null>>(script, null, threads) : null;
  const tasks = pool ? new PooledTasks(pool.size) : null;
  try {
    for (const page of pagesOfConnectedRows(ids.length, pairs, TEXT_PAGE)) {
      checkAborted(ctx);
      const request = await pageRequest(ctx, ids, pairs, page);
      const record = (answer: Array<ContradictionReason | null>) => {
        page.pairs.forEach((k, p) => {
          reasons[k] = answer[p] ?? null;
        });
      };
      if (pool && tasks) {
        await tasks.add(async () => record(await pool.run(request)));
      } else {
        record(guardPage(request));
        await new Promise<void>((resolve) => setImmediate(resolve)); // timers (lease heartbeats) run between pages
      }
    }
    await tasks?.drain();
  } catch (error) {
    await tasks?.drain().catch(() => undefined); // nothing keeps running after the job stops
    throw error;
  } finally {
    await pool?.close();
  }
  const kept: SimilarPair[] = [];
  const stopped: StoppedPair[] = [];
  pairs.forEach((pair, k) => {
    const reason = reasons[k];
    if (reason) stopped.push({ ids: [ids[pair.i] as string, ids[pair.j] as string], similarity: pair.similarity, reason });
    else kept.push(pair);
  });
  return { kept, stopped, threads: pool?.size ?? 1 };
}

/** A page as guardPage takes it: the rows' texts and the page's pairs, both by position in the page. */
async function pageRequest(
  ctx: PhaseContext,
  ids: readonly string[],
  pairs: readonly SimilarPair[],
  page: { rows: number[]; pairs: number[] },
): Promise<GuardPage> {
  const texts = await readTexts(ctx, ids, page.rows);
  const position = new Map(page.rows.map((i, p) => [i, p]));
  const local = new Int32Array(page.pairs.length * 2);
  page.pairs.forEach((k, p) => {
    const pair = pairs[k] as SimilarPair;
    local[2 * p] = position.get(pair.i) as number;
    local[2 * p + 1] = position.get(pair.j) as number;
  });
  // A row that vanished meanwhile has no text: its pairs are left to the merge, which re-checks every member anyway.
  return { texts: page.rows.map((i) => texts.get(i) ?? null), pairs: local };
}

/** The texts of some rows (by candidate index), as memoryText builds them; rows that vanished are absent. */
async function readTexts(ctx: PhaseContext, ids: readonly string[], rows: readonly number[]): Promise<Map<number, string>> {
  const indexOf = new Map(rows.map((i) => [ids[i] as string, i]));
  const found = await queryRows<TextRow>(ctx.db.orm,
    sql`SELECT t.id, t.execution_summary, t.goal, t.result, t.feedback FROM memcons.task_memories t
        WHERE t.id = ANY(${uuidArray(rows.map((i) => ids[i] as string))})`,
  );
  const texts = new Map<number, string>();
  for (const row of found) {
    const text = memoryText({ executionSummary: row.execution_summary ?? "", goal: row.goal, result: row.result, feedback: row.feedback });
    texts.set(indexOf.get(row.id) as number, text);
  }
  return texts;
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
