import { copyVectors, type Database, ProjectNotFoundError, projects, queryRows } from "@memcons/models";
import { eq, type SQL, sql } from "drizzle-orm";
import { EmbeddingDimensionError } from "./errors.js";
import { versionedVectors } from "./store.js";
import { memoryText } from "./text.js";
import type { Embedder } from "./types.js";

/** Settings of reembedProject. */
export interface ReembedOptions {
  embedder: Embedder;
  /** Re-embed every row, not only those the embedder did not produce (default false). */
  all?: boolean;
  /** Rows embedded per call to the embedder (default 500). */
  batchSize?: number;
  signal?: AbortSignal;
  /** Called after each batch with the rows done so far and the total found at the start. */
  onProgress?: (progress: { done: number; total: number }) => void | Promise<void>;
}

/** What reembedProject did. */
export interface ReembedResult {
  project_id: string;
  embedding_model: string;
  memories_reembedded: number;
  playbook_entries_reembedded: number;
  /** Rows edited while they were being embedded (left for the next job, which re-embeds them). */
  skipped: number;
}

interface TextRow extends Record<string, unknown> {
  id: string;
  version?: number;
  execution_summary?: string | null;
  goal?: string | null;
  result?: string | null;
  feedback?: string | null;
  content?: string;
}

/**
 * Re-embeds a project's memories and playbook entries with `embedder`: every row whose vector the embedder
 * did not produce (missing, of another model or dimension), or every row with `all`. Bookkeeping like a job's
 * own embedding writes: versions are checked, not bumped.
 */
export async function reembedProject(db: Database, projectId: string, options: ReembedOptions): Promise<ReembedResult> {
  const { embedder } = options;
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const [project] = await db.orm.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId));
  if (!project) throw new ProjectNotFoundError(projectId);
  const stale = (vector: string, model: string): SQL =>
    options.all
      ? sql`true`
      : sql`(${sql.raw(vector)} IS NULL OR cardinality(${sql.raw(vector)}) <> ${embedder.dimensions}
          OR ${sql.raw(model)} IS DISTINCT FROM ${embedder.model})`;
  const memoryFilter = sql`t.project_id = ${projectId}::uuid AND ${stale("t.context_embedding", "t.embedding_model")}`;
  const entryFilter = sql`p.project_id = ${projectId}::uuid AND ${stale("p.embedding", "p.embedding_model")}`;
  const [counts] = await queryRows<{ memories: number; entries: number }>(db.orm, 
    sql`SELECT (SELECT count(*)::int FROM memcons.task_memories t WHERE ${memoryFilter}) AS memories,
               (SELECT count(*)::int FROM memcons.playbook_entries p WHERE ${entryFilter}) AS entries`,
  );
  const total = Number(counts?.memories ?? 0) + Number(counts?.entries ?? 0);
  const result: ReembedResult = {
    project_id: projectId,
    embedding_model: embedder.model,
    memories_reembedded: 0,
    playbook_entries_reembedded: 0,
    skipped: 0,
  };
  let done = 0;
  await options.onProgress?.({ done, total });
  // Keyset pages on id: a row re-embedded by an earlier page is never read again.
  let after: string | null = null;
  for (;;) {
    const page: TextRow[] = await queryRows<TextRow>(db.orm, 
      sql`SELECT t.id, t.version, t.execution_summary, t.goal, t.result, t.feedback FROM memcons.task_memories t
          WHERE ${memoryFilter} ${after ? sql`AND t.id > ${after}::uuid` : sql``} ORDER BY t.id LIMIT ${batchSize}`,
    );
    if (page.length === 0) break;
    const texts = page.map((r) =>
      memoryText({ executionSummary: r.execution_summary ?? "", goal: r.goal ?? null, result: r.result ?? null, feedback: r.feedback ?? null }),
    );
    const vectors = await embed(embedder, texts, options.signal);
    const rows = page.map((r, k) => ({ id: r.id, version: Number(r.version), vector: vectors[k] as Float32Array }));
    const [written] = await db.orm.transaction(async (tx) => {
      const stored = await versionedVectors(tx, rows);
      return queryRows<{ n: number }>(tx,
        sql`WITH upd AS (
              UPDATE memcons.task_memories t SET context_embedding = s.e, embedding_model = ${embedder.model}
              FROM ${stored} s
              WHERE t.id = s.id AND t.version = s.v
              RETURNING 1
            ) SELECT count(*)::int AS n FROM upd`,
      );
    });
    result.memories_reembedded += Number(written?.n ?? 0);
    result.skipped += page.length - Number(written?.n ?? 0);
    done += page.length;
    after = (page[page.length - 1] as TextRow).id;
    await options.onProgress?.({ done, total });
  }
  after = null;
  for (;;) {
    const page: TextRow[] = await queryRows<TextRow>(db.orm, 
      sql`SELECT p.id, p.content FROM memcons.playbook_entries p
          WHERE ${entryFilter} ${after ? sql`AND p.id > ${after}::uuid` : sql``} ORDER BY p.id LIMIT ${batchSize}`,
    );
    if (page.length === 0) break;
    const vectors = await embed(embedder, page.map((r) => r.content ?? ""), options.signal);
    const body = page.map((r, k) => `{"id":"${r.id}","k":${k}}`);
    const [written] = await db.orm.transaction(async (tx) => {
      const computed = await copyVectors(tx, vectors);
      return queryRows<{ n: number }>(tx,
        sql`WITH upd AS (
              UPDATE memcons.playbook_entries p SET embedding = x.e, embedding_model = ${embedder.model}
              FROM jsonb_to_recordset(${`[${body.join(",")}]`}::jsonb) AS r(id uuid, k int)
                JOIN ${sql.identifier(computed)} x ON x.k = r.k
              WHERE p.id = r.id
              RETURNING 1
            ) SELECT count(*)::int AS n FROM upd`,
      );
    });
    result.playbook_entries_reembedded += Number(written?.n ?? 0);
    done += page.length;
    after = (page[page.length - 1] as TextRow).id;
    await options.onProgress?.({ done, total });
  }
  return result;
}

async function embed(embedder: Embedder, texts: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
  signal?.throwIfAborted();
  const vectors = await embedder.embed(texts, signal);
  const wrong = vectors.find((v) => v.length !== embedder.dimensions);
  if (vectors.length !== texts.length || wrong) {
    throw new EmbeddingDimensionError(embedder.dimensions, wrong?.length ?? 0, embedder.model);
  }
  return vectors;
}
