import { sql } from "drizzle-orm";
import { BackgroundWriter } from "../background.js";
import { type JobContext, jobEpoch, jsonb, rows, timestamp, vectorJson } from "../context.js";
import type { Candidates } from "./detect.js";

/** Counters of the final step. */
export interface FinalizeStats {
  marked: number;
  embeddings_stored: number;
  ms: number;
}

const BATCH = 1000;

/**
 * Marks every examined memory `is_consolidated` and stores the embeddings computed for it, in one row
 * write per memory. Bookkeeping, not an audited mutation: no version bump. Rows whose version changed
 * since detection (merged or edited meanwhile) are left alone, so an edited memory is examined again
 * by the next job; memories this job archived still get their embedding.
 */
export async function finalizeCandidates(ctx: JobContext, candidates: Candidates): Promise<FinalizeStats> {
  const started = Date.now();
  const stats: FinalizeStats = { marked: 0, embeddings_stored: 0, ms: 0 };
  const { dims, vectors, computed } = candidates;
  const writer = new BackgroundWriter(ctx.db.supportsConcurrency ? 2 : 1);
  const epoch = (await jobEpoch(ctx)) ?? ctx.now();
  for (let start = 0; start < candidates.n; start += BATCH) {
    const parts: string[] = [];
    for (let i = start; i < Math.min(candidates.n, start + BATCH); i++) {
      if (candidates.settled[i] === 1) continue;
      const e = computed[i] === 1 ? vectorJson(vectors.subarray(i * dims, (i + 1) * dims)) : "null";
      parts.push(`{"id":"${candidates.ids[i]}","v":${candidates.versions[i]},"e":${e}}`);
    }
    if (parts.length === 0) continue;
    const body = `[${parts.join(",")}]`;
    await writer.run(async () => {
      const [row] = await rows<{ marked: number; stored: number }>(
        ctx,
        sql`WITH upd AS (
              UPDATE task_memories t SET is_consolidated = true,
                context_embedding = CASE WHEN r.e IS NULL THEN t.context_embedding ELSE r.e::real[] END,
                embedding_model = CASE WHEN r.e IS NULL THEN t.embedding_model ELSE ${ctx.embedder.model} END
              FROM jsonb_to_recordset(${jsonb(body)}) AS r(id uuid, v int, e text)
              WHERE t.id = r.id AND (
                t.version = r.v AND (t.is_consolidated = false OR r.e IS NOT NULL)
                -- archived during this job and changed by nothing else: the text is unchanged
                OR r.e IS NOT NULL AND t.is_archived AND t.version = r.v + 1 AND t.archived_at >= ${timestamp(epoch)}
                  AND (t.context_embedding IS NULL OR t.embedding_model IS DISTINCT FROM ${ctx.embedder.model}))
              RETURNING (r.e IS NOT NULL) AS stored
            )
            SELECT count(*)::int AS marked, count(*) FILTER (WHERE stored)::int AS stored FROM upd`,
      );
      stats.marked += Number(row?.marked ?? 0);
      stats.embeddings_stored += Number(row?.stored ?? 0);
    });
  }
  await writer.flush();
  stats.ms = Date.now() - started;
  return stats;
}
