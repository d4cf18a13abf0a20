import { sql } from "drizzle-orm";
import { type JobContext, checkAborted, rows, uuidArray } from "../context.js";
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

/** Removes the pairs whose texts contradict each other (negation, opposite toggles, differing numbers or identifiers). */
export async function separateContradictions(
  ctx: JobContext,
  ids: readonly string[],
  pairs: readonly SimilarPair[],
): Promise<GuardedPairs> {
  if (pairs.length === 0) return { kept: [], stopped: [] };
  const involved = [...new Set(pairs.flatMap((p) => [p.i, p.j]))].sort((x, y) => x - y);
  const analyses = new Map<number, GuardAnalysis>();
  const indexOf = new Map(involved.map((i) => [ids[i] as string, i]));
  for (let start = 0; start < involved.length; start += TEXT_PAGE) {
    checkAborted(ctx);
    const page = involved.slice(start, start + TEXT_PAGE).map((i) => ids[i] as string);
    const texts = await rows<TextRow>(
      ctx,
      sql`SELECT t.id, t.execution_summary, t.goal, t.result, t.feedback FROM task_memories t WHERE t.id = ANY(${uuidArray(page)})`,
    );
    for (const row of texts) {
      const text = memoryText({ executionSummary: row.execution_summary ?? "", goal: row.goal, result: row.result, feedback: row.feedback });
      analyses.set(indexOf.get(row.id) as number, analyzeForGuard(text));
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const kept: SimilarPair[] = [];
  const stopped: StoppedPair[] = [];
  for (let k = 0; k < pairs.length; k++) {
    if (k % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    const pair = pairs[k] as SimilarPair;
    const a = analyses.get(pair.i);
    const b = analyses.get(pair.j);
    // A row that vanished meanwhile is left to the merge, which re-checks every member anyway.
    const reason = a && b ? compareForGuard(a, b) : null;
    if (reason) stopped.push({ ids: [ids[pair.i] as string, ids[pair.j] as string], similarity: pair.similarity, reason });
    else kept.push(pair);
  }
  return { kept, stopped };
}
