import { copyVectors, queryRows, readVector, uuidArray } from "@memcons/models";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { type PhaseContext, assertHeld, checkAborted, writeInLanes } from "../phase-context.js";
import { jsonb, timestamp } from "../sql-params.js";
import { exhaustiveRowPairs, lshRowPairsAsync, type SimilarPair } from "../detect/lsh.js";
import { rowsFromMatrix } from "../embedding/rows.js";
import { EmbeddingDimensionError } from "../errors.js";
import { addToCounter, entryJson } from "../store.js";
import { memoryText } from "../text.js";
import { sharedFloat32Array } from "../threads/threads.js";
import { insertChanges } from "../audit.js";

/** Counters of the promote phase. */
export interface PromoteStats {
  memories_promoted: number;
  candidates: number;
  /** Candidates skipped because an equivalent playbook entry exists (or was just created). */
  skipped_equivalent: number;
}

interface CandidateRow extends Record<string, unknown> {
  id: string;
  memory_type: string;
  execution_summary: string;
  goal: string | null;
  result: string | null;
  feedback: string | null;
  tags: string[];
  confidence: number;
  sources: string;
}

const EXHAUSTIVE_LIMIT = 500;
const INSERT_BATCH = 1000;
/** Candidates whose stored vectors are read per query: their bytes are held a page at a time, not all at once. */
const VECTOR_PAGE = 5000;

/**
 * The order candidates are promoted in (an earlier one keeps out a later equivalent one): syntheses first, then by
 * confidence, number of sources and recency, then by text, so that the same memories yield the same playbook whatever
 * ids they were given. The id only separates memories that are equal in everything else.
 */
export const PROMOTION_ORDER = sql.raw(
  `(t.memory_type = 'synthesis') DESC, t.synthesis_confidence DESC,
   cardinality(t.consolidated_from) + cardinality(t.synthesized_from) DESC, t.learned_at DESC,
   t.execution_summary COLLATE "C", t.goal COLLATE "C", t.result COLLATE "C", t.feedback COLLATE "C", t.id`,
);

/** Promotes confident consolidated/synthesis memories to playbook entries unless an equivalent entry exists. */
export async function runPromote(ctx: PhaseContext): Promise<PromoteStats> {
  const dims = ctx.embedder.dimensions;
  // Only vectors of the configured model are compared; others are embedded again here.
  const model = ctx.embedder.model;
  const candidates = await queryRows<CandidateRow>(ctx.db.orm,
    sql`SELECT t.id, t.memory_type, t.execution_summary, t.goal, t.result, t.feedback, t.tags,
          t.synthesis_confidence AS confidence,
          array_to_string(t.consolidated_from || t.synthesized_from, ',') AS sources
        FROM memcons.task_memories t
        WHERE t.project_id = ${ctx.projectId}::uuid AND t.memory_type IN ('consolidated', 'synthesis')
          AND t.is_archived = false AND t.is_duplicate = false AND t.needs_review = false
          AND t.synthesis_confidence >= ${ctx.options.promote_confidence_threshold}
          AND (t.created_at <= ${timestamp(ctx.startedAt)}
               OR t.id IN (SELECT memory_id FROM memcons.consolidation_changes
                            WHERE consolidation_job_id = ${ctx.jobId}::uuid AND previous_state IS NULL))
          AND t.id NOT IN (SELECT unnest(p.supporting_memory_ids) FROM memcons.playbook_entries p
                           WHERE p.project_id = ${ctx.projectId}::uuid)
        ORDER BY ${PROMOTION_ORDER}`,
  );
  const stats: PromoteStats = { memories_promoted: 0, candidates: candidates.length, skipped_equivalent: 0 };
  if (candidates.length === 0) return stats;
  const categories = await sourceCategories(ctx, candidates.map((c) => c.id));
  const existing = await queryRows<{ content: string; emb: Uint8Array | null }>(ctx.db.orm,
    sql`SELECT content, CASE WHEN cardinality(embedding) = ${dims} AND embedding_model = ${model}
          THEN array_send(embedding) END AS emb
        FROM memcons.playbook_entries WHERE project_id = ${ctx.projectId}::uuid ORDER BY id`,
  );
  // Rows 0..E-1 are existing entries, E.. are candidates (in promotion order). In shared memory, so the pair search's
  // threads read the matrix itself.
  const n = existing.length + candidates.length;
  const vectors = sharedFloat32Array(n * dims);
  const texts = [...existing.map((e) => e.content), ...candidates.map((c) => memoryText(rowFields(c)))];
  // A missing vector, or one with a non-finite or NULL element, is embedded again.
  const found = new Uint8Array(n);
  for (const [i, e] of existing.entries()) {
    if (e.emb && readVector(e.emb, vectors, i * dims, dims)) found[i] = 1;
    e.emb = null;
  }
  await readCandidateVectors(ctx, candidates.map((c) => c.id), vectors, existing.length, found);
  const missing: number[] = [];
  for (let i = 0; i < n; i++) if (found[i] === 0) missing.push(i);
  if (missing.length > 0) {
    const computed = await ctx.embedder.embed(missing.map((i) => texts[i] as string), ctx.signal);
    missing.forEach((i, k) => {
      const v = computed[k];
      if (!v || v.length !== dims) throw new EmbeddingDimensionError(dims, v?.length ?? 0, ctx.embedder.model);
      vectors.set(v, i * dims);
    });
  }
  checkAborted(ctx);
  const set = { rows: rowsFromMatrix(vectors, dims, n), groups: null };
  const threshold = ctx.options.similarity_threshold;
  const pairs: SimilarPair[] = n <= EXHAUSTIVE_LIMIT ? exhaustiveRowPairs(set, threshold) : (await lshRowPairsAsync(set, threshold, { threads: ctx.threads })).pairs;
  const neighbours = new Map<number, number[]>();
  const link = (from: number, to: number) => {
    const list = neighbours.get(from);
    if (list) list.push(to);
    else neighbours.set(from, [to]);
  };
  for (const p of pairs) {
    link(p.i, p.j);
    link(p.j, p.i);
  }
  const accepted = new Set<number>(existing.map((_, i) => i));
  const promoted: number[] = [];
  candidates.forEach((_, k) => {
    const index = existing.length + k;
    if ((neighbours.get(index) ?? []).some((j) => accepted.has(j))) {
      stats.skipped_equivalent++;
      return;
    }
    accepted.add(index);
    promoted.push(index);
  });
  /** The playbook entry of candidate row `index` (built per batch, not all at once). */
  const entryOf = (index: number, k: number): PlaybookEntryDraft => {
    const c = candidates[index - existing.length] as CandidateRow;
    const confidence = Number(c.confidence);
    const json = JSON.stringify({
      id: randomUUID(),
      memory_id: c.id,
      content: texts[index],
      category: categories.get(c.id) ?? (c.memory_type === "synthesis" ? "synthesis" : "learning"),
      tags: c.tags,
      priority: Math.round(confidence * 100),
      supporting_memory_ids: [c.id, ...(c.sources ? c.sources.split(",") : [])],
      confidence,
      k,
    });
    return { json, embedding: vectors.slice(index * dims, (index + 1) * dims) };
  };
  await writeInLanes(ctx, "promote", promoted, INSERT_BATCH, async (batch) => {
    await insertEntries(ctx, batch.map(entryOf));
    stats.memories_promoted += batch.length;
  });
  return stats;
}

/** A playbook entry to insert: its columns as JSON, `k` naming its row in the batch's embeddings. */
interface PlaybookEntryDraft {
  json: string;
  embedding: Float32Array;
}

/** Inserts one batch of playbook entries with their audit rows, in one transaction. */
async function insertEntries(ctx: PhaseContext, batch: readonly PlaybookEntryDraft[]): Promise<void> {
  const now = ctx.now();
  await ctx.db.orm.transaction(async (tx) => {
    await assertHeld(ctx, tx);
    const embeddings = await copyVectors(tx, batch.map((entry) => entry.embedding));
    // The batch is sent and parsed once: the entries and their audit rows are written by one statement.
    await queryRows(tx,
      sql`WITH r AS MATERIALIZED (
            SELECT r.*, x.e AS embedding
            FROM jsonb_to_recordset(${jsonb(`[${batch.map((entry) => entry.json).join(",")}]`)}) AS r(
              id uuid, memory_id uuid, content text, category text, tags text[], priority int,
              supporting_memory_ids uuid[], confidence real, k int)
            JOIN ${sql.identifier(embeddings)} x ON x.k = r.k
          ), p AS (
            INSERT INTO memcons.playbook_entries (id, project_id, content, category, tags, priority,
              supporting_memory_ids, embedding, embedding_model, source_job_id, created_by, created_at)
            SELECT r.id, ${ctx.projectId}::uuid, r.content, r.category, r.tags, r.priority,
              r.supporting_memory_ids, r.embedding, ${ctx.embedder.model}, ${ctx.jobId}::uuid, ${ctx.actor}, ${timestamp(now)}
            FROM r
            RETURNING *
          ), audit AS (${insertChanges(
            { jobId: ctx.jobId, operation: "promote", at: now, actor: ctx.actor },
            {
              memoryId: sql`r.memory_id`,
              previousState: sql`NULL`,
              newState: sql`jsonb_build_object('playbook_entry', ${entryJson("p")})`,
              reason: sql`'Promoted to playbook entry ' || p.id`,
              confidence: sql`r.confidence`,
            },
            sql`p JOIN r ON r.id = p.id`,
          )})
          SELECT count(*)::int AS n FROM audit`,
    );
    await addToCounter(tx, ctx.jobId, "memories_promoted", batch.length);
  });
}

/**
 * The most frequent memory type among each memory's sources (consolidated_from, synthesized_from): known for the
 * memories this run created from sources of one type, read from the sources' rows for the others.
 */
async function sourceCategories(ctx: PhaseContext, ids: readonly string[]): Promise<Map<string, string>> {
  const categories = new Map<string, string>();
  const unknown: string[] = [];
  for (const id of ids) {
    const type = ctx.sourceTypes.get(id);
    if (type === undefined) unknown.push(id);
    else categories.set(id, type);
  }
  if (unknown.length === 0) return categories;
  const rows = await queryRows<{ id: string; category: string | null }>(ctx.db.orm,
    sql`SELECT t.id, (SELECT mode() WITHIN GROUP (ORDER BY s.memory_type) FROM memcons.task_memories s
          WHERE s.id = ANY(t.consolidated_from || t.synthesized_from)) AS category
        FROM memcons.task_memories t WHERE t.id = ANY(${uuidArray(unknown)})`,
  );
  for (const row of rows) if (row.category !== null) categories.set(row.id, row.category);
  return categories;
}

function rowFields(c: CandidateRow) {
  return { executionSummary: c.execution_summary, goal: c.goal, result: c.result, feedback: c.feedback };
}

/**
 * Copies the stored vectors of the configured model of `ids` into `into` (row `offset + k` for ids[k]) and marks them in
 * `found`; read a page of ids at a time, so only one page's bytes are held however many candidates there are.
 */
async function readCandidateVectors(ctx: PhaseContext, ids: readonly string[], into: Float32Array, offset: number, found: Uint8Array): Promise<void> {
  const dims = ctx.embedder.dimensions;
  for (let start = 0; start < ids.length; start += VECTOR_PAGE) {
    checkAborted(ctx);
    const page = ids.slice(start, start + VECTOR_PAGE);
    const rowOf = new Map(page.map((id, k) => [id, offset + start + k]));
    const rows = await queryRows<{ id: string; emb: Uint8Array }>(ctx.db.orm,
      sql`SELECT t.id, array_send(t.context_embedding) AS emb FROM memcons.task_memories t
          WHERE t.id = ANY(${uuidArray(page)}) AND cardinality(t.context_embedding) = ${dims}
            AND t.embedding_model = ${ctx.embedder.model}`,
    );
    for (const row of rows) {
      const i = rowOf.get(row.id);
      if (i !== undefined && readVector(row.emb, into, i * dims, dims)) found[i] = 1;
    }
  }
}
