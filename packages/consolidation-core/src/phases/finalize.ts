import { copyVectors, queryRows } from "@memcons/models";
import { sql } from "drizzle-orm";
import { BackgroundWriter } from "../background.js";
import { jobEpoch } from "../candidates.js";
import { insertChanges } from "../audit.js";
import { type PhaseContext, assertHeld } from "../phase-context.js";
import { jsonb, timestamp } from "../sql-params.js";
import { rowVector } from "../embedding/rows.js";
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
 * by the next job. The archive phase stores the embeddings of the memories it archives; one it archived without
 * (a resumed job) gets its embedding here.
 */
export async function finalizeCandidates(ctx: PhaseContext, candidates: Candidates): Promise<FinalizeStats> {
  const started = Date.now();
  const stats: FinalizeStats = { marked: 0, embeddings_stored: 0, ms: 0 };
  const { vectors, computed } = candidates;
  const writer = new BackgroundWriter(ctx.db.supportsConcurrency ? 2 : 1);
  const epoch = (await jobEpoch(ctx)) ?? ctx.now();
  for (let start = 0; start < candidates.n; start += BATCH) {
    const parts: string[] = [];
    const batchVectors: Float32Array[] = [];
    for (let i = start; i < Math.min(candidates.n, start + BATCH); i++) {
      if (candidates.settled[i] === 1) continue;
      let k = "null";
      if (computed[i] === 1) {
        k = String(batchVectors.length);
        batchVectors.push(rowVector(vectors, i));
      }
      parts.push(`{"id":"${candidates.ids[i]}","v":${candidates.versions[i]},"k":${k}}`);
    }
    if (parts.length === 0) continue;
    const body = `[${parts.join(",")}]`;
    await writer.run(async () => {
      await assertHeld(ctx);
      const [row] = await ctx.db.orm.transaction(async (tx) => {
        const computedVectors = await copyVectors(tx, batchVectors);
        return queryRows<{ marked: number; stored: number }>(tx,
          sql`WITH upd AS (
                UPDATE memcons.task_memories t SET is_consolidated = true,
                  context_embedding = CASE WHEN r.e IS NULL THEN t.context_embedding ELSE r.e END,
                  embedding_model = CASE WHEN r.e IS NULL THEN t.embedding_model ELSE ${ctx.embedder.model} END
                FROM (SELECT r.id, r.v, x.e FROM jsonb_to_recordset(${jsonb(body)}) AS r(id uuid, v int, k int)
                    LEFT JOIN ${sql.identifier(computedVectors)} x ON x.k = r.k) r,
                  LATERAL (SELECT o.is_consolidated AS was FROM memcons.task_memories o WHERE o.id = r.id) before
                WHERE t.id = r.id AND (
                  t.version = r.v AND (t.is_consolidated = false OR r.e IS NOT NULL)
                  -- archived during this job and changed by nothing else: the text is unchanged
                  OR r.e IS NOT NULL AND t.is_archived AND t.version = r.v + 1 AND t.archived_at >= ${timestamp(epoch)}
                    AND (t.context_embedding IS NULL OR t.embedding_model IS DISTINCT FROM ${ctx.embedder.model}))
                RETURNING (r.e IS NOT NULL) AS stored, t.id, before.was
              ), examined AS (${insertChanges(
                // One audit row per batch lists the memories this job marked examined, so rollback can unmark them.
                { jobId: ctx.jobId, operation: "examine", at: ctx.now(), actor: ctx.actor },
                {
                  memoryId: sql`NULL`,
                  previousState: sql`jsonb_build_object('is_consolidated', false)`,
                  newState: sql`jsonb_build_object('is_consolidated', true, 'memory_ids', agg.ids)`,
                  reason: sql`'Examined by the job'`,
                  confidence: sql`NULL`,
                },
                sql`(SELECT jsonb_agg(upd.id ORDER BY upd.id) AS ids FROM upd WHERE NOT upd.was HAVING count(*) > 0) agg`,
              )})
              SELECT count(*)::int AS marked, count(*) FILTER (WHERE stored)::int AS stored,
                (SELECT count(*) FROM examined)::int AS examine_rows FROM upd`,
        );
      });
      stats.marked += Number(row?.marked ?? 0);
      stats.embeddings_stored += Number(row?.stored ?? 0);
    });
  }
  await writer.flush();
  stats.ms = Date.now() - started;
  return stats;
}
