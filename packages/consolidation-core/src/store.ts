import { type ChangeOperation, copyVectors, type Executor, queryRows, playbookEntries, type TaskMemory, type Transaction, taskMemories, uuidArray } from "@memcons/models";
import { getTableColumns, type SQL, sql } from "drizzle-orm";
import { insertChanges } from "./audit.js";
import { jsonb, timestamp } from "./sql-params.js";

/** Which job writes, for which project, on whose behalf: all a store function needs besides its transaction. */
export interface WriteScope {
  readonly jobId: string;
  readonly projectId: string;
  /** Recorded as `changed_by` of the audit rows. */
  readonly actor: string;
  /** The model of the embeddings it stores. */
  readonly embeddingModel: string;
}

/**
 * Every task_memories column except the embedding and its model (audit snapshots and merges never need
 * them; a rollback leaves a vector and the name of the model that made it together).
 */
export const MEMORY_COLUMNS = (() => {
  const { contextEmbedding: _omit, embeddingModel: _model, ...rest } = getTableColumns(taskMemories);
  return rest;
})();

/** An embedding to store for a memory only while the memory is still at `version`. */
export interface VersionedVector {
  id: string;
  version: number;
  vector: Float32Array;
}

/**
 * Loads embeddings of memories into the open transaction (binary COPY, rounded to the stored precision) and
 * returns a parenthesized subquery of their rows `(id uuid, v int, e real[])`, to join on id and version.
 */
export async function versionedVectors(tx: Transaction, rows: readonly VersionedVector[]): Promise<SQL> {
  if (rows.length === 0) return sql`(SELECT NULL::uuid AS id, NULL::int AS v, NULL::real[] AS e WHERE false)`;
  const table = await copyVectors(tx, rows.map((r) => r.vector));
  const body = `[${rows.map((r, k) => `{"id":"${r.id}","v":${r.version},"k":${k}}`).join(",")}]`;
  return sql`(SELECT r.id, r.v, x.e FROM jsonb_to_recordset(${jsonb(body)}) AS r(id uuid, v int, k int)
    JOIN ${sql.identifier(table)} x ON x.k = r.k)`;
}

/** SQL building the JSON snapshot of a memory row (every column but the embedding) for table alias `alias`. */
export function memoryJson(alias: string): SQL {
  const pairs = Object.values(MEMORY_COLUMNS).map((c) => `'${c.name}', ${alias}.${c.name}`);
  return sql.raw(`jsonb_build_object(${pairs.join(", ")})`);
}

/** SQL building the JSON snapshot of a playbook entry (every column but the embedding) for table alias `alias`. */
export function entryJson(alias: string): SQL {
  const { embedding: _omit, embeddingModel: _model, ...columns } = getTableColumns(playbookEntries);
  const pairs = Object.values(columns).map((c) => `'${c.name}', ${alias}.${c.name}`);
  return sql.raw(`jsonb_build_object(${pairs.join(", ")})`);
}

/** A task memory without its embedding. */
export type MemoryRow = Omit<TaskMemory, "contextEmbedding" | "embeddingModel">;

/** Loads memories by id (without embeddings), optionally locking them FOR UPDATE in id order. */
export async function loadMemories(
  executor: Executor,
  ids: readonly string[],
  lock: boolean,
): Promise<Map<string, MemoryRow>> {
  if (ids.length === 0) return new Map();
  const query = executor
    .select(MEMORY_COLUMNS)
    .from(taskMemories)
    .where(sql`${taskMemories.id} = ANY(${uuidArray(ids)})`)
    .orderBy(taskMemories.id);
  const found = lock ? await query.for("update") : await query;
  return new Map(found.map((row) => [row.id, row]));
}

/** A memory the job creates (consolidated or synthesis), in column names. */
export interface NewMemoryJson {
  id: string;
  task_id: string | null;
  memory_type: "consolidated" | "synthesis";
  execution_summary: string;
  goal: string | null;
  result: string | null;
  feedback: string | null;
  tags: string[];
  file_paths: string[];
  success: boolean;
  reused_count: number;
  last_reused_at: string | null;
  learned_at: string;
  consolidated_from: string[];
  consolidated_at: string | null;
  synthesized_from: string[];
  synthesized_at: string | null;
  synthesis_confidence: number | null;
  needs_review: boolean;
  /** Audit reason of the creation. */
  reason: string;
  /** Extra audit detail stored next to the row in new_state (e.g. the synthesis). */
  detail: Record<string, unknown> | null;
}

/** Inserts created memories with their embeddings and one audit row each (previous_state NULL). */
export async function insertCreatedMemories(
  tx: Transaction,
  scope: WriteScope,
  operation: ChangeOperation,
  memories: ReadonlyArray<{ row: NewMemoryJson; embedding: Float32Array }>,
  now: Date,
): Promise<number> {
  if (memories.length === 0) return 0;
  const vectors = await copyVectors(tx, memories.map((m) => m.embedding));
  const body = `[${memories.map(({ row }, k) => `${JSON.stringify(row).slice(0, -1)},"k":${k}}`).join(",")}]`;
  const recordset = sql`jsonb_to_recordset(${jsonb(body)}) AS r(
            id uuid, task_id text, memory_type text, execution_summary text, goal text, result text,
            feedback text, tags text[], file_paths text[], k int, success boolean,
            reused_count int, last_reused_at timestamptz, learned_at timestamptz,
            consolidated_from uuid[], consolidated_at timestamptz, synthesized_from uuid[],
            synthesized_at timestamptz, synthesis_confidence real, needs_review boolean,
            reason text, detail jsonb)`;
  await queryRows(tx, 
    sql`INSERT INTO memcons.task_memories (id, project_id, task_id, memory_type, execution_summary, goal, result,
          feedback, tags, file_paths, context_embedding, embedding_model, success, reused_count, last_reused_at, learned_at,
          is_consolidated, consolidated_from, consolidated_at, synthesized_from, synthesized_at,
          synthesis_confidence, needs_review, version, created_at, updated_at)
        SELECT r.id, ${scope.projectId}::uuid, r.task_id, r.memory_type, r.execution_summary, r.goal, r.result,
          r.feedback, r.tags, r.file_paths, x.e, ${scope.embeddingModel}, r.success, r.reused_count, r.last_reused_at,
          r.learned_at, true, r.consolidated_from, r.consolidated_at, r.synthesized_from, r.synthesized_at,
          r.synthesis_confidence, r.needs_review, 1, ${timestamp(now)}, ${timestamp(now)}
        FROM ${recordset} JOIN ${sql.identifier(vectors)} x ON x.k = r.k`,
  );
  // Audit rows read the inserted rows back through the primary key (no CTE-to-CTE join).
  const audit = JSON.stringify(memories.map(({ row }) => ({ id: row.id, reason: row.reason, detail: row.detail })));
  const inserted = await queryRows<{ n: number }>(
    tx,
    sql`WITH audit AS (${insertChanges(
      { jobId: scope.jobId, operation, at: now, actor: scope.actor },
      {
        memoryId: sql`t.id`,
        previousState: sql`NULL`,
        newState: sql`CASE WHEN r.detail IS NULL THEN ${memoryJson("t")}
                 ELSE ${memoryJson("t")} || jsonb_build_object('_detail', r.detail) END`,
        reason: sql`r.reason`,
        confidence: sql`t.synthesis_confidence`,
      },
      sql`jsonb_to_recordset(${jsonb(audit)}) AS r(id uuid, reason text, detail jsonb) JOIN memcons.task_memories t ON t.id = r.id`,
    )})
        SELECT count(*)::int AS n FROM audit`,
  );
  return Number(inserted[0]?.n ?? 0);
}

/** A memory to mark as a duplicate of `dup`, and the embedding computed for it to store in the same write (or null). */
export interface DuplicateSource {
  id: string;
  dup: string;
  v: number;
  reason: string;
  confidence: number;
  embedding: Float32Array | null;
}

/** Marks source memories as duplicates of their consolidated memory (version check), one audit row each; stores a computed embedding in the same write. */
export async function markDuplicates(
  tx: Transaction,
  scope: WriteScope,
  sources: ReadonlyArray<DuplicateSource>,
  now: Date,
): Promise<number> {
  if (sources.length === 0) return 0;
  const computed: Float32Array[] = [];
  const rows = sources.map(({ embedding, ...source }) => {
    if (embedding === null) return { ...source, k: null };
    computed.push(embedding);
    return { ...source, k: computed.length - 1 };
  });
  const vectors = await copyVectors(tx, computed);
  const result = await queryRows<{ n: number }>(
    tx,
    sql`WITH upd AS (
          UPDATE memcons.task_memories t SET is_duplicate = true, duplicate_of = s.dup, is_consolidated = true,
            version = t.version + 1, updated_at = ${timestamp(now)},
            context_embedding = CASE WHEN s.e IS NULL THEN t.context_embedding ELSE s.e END,
            embedding_model = CASE WHEN s.e IS NULL THEN t.embedding_model ELSE ${scope.embeddingModel} END
          FROM (
            SELECT r.*, x.e, ${memoryJson("o")} AS prev
            FROM jsonb_to_recordset(${jsonb(JSON.stringify(rows))})
              AS r(id uuid, dup uuid, v int, reason text, confidence real, k int)
            JOIN memcons.task_memories o ON o.id = r.id
            LEFT JOIN ${sql.identifier(vectors)} x ON x.k = r.k
          ) s
          WHERE t.id = s.id AND t.version = s.v
          RETURNING t.id, t.is_duplicate, t.duplicate_of, t.is_consolidated, t.version, t.updated_at,
            s.prev AS _prev, s.reason AS _reason, s.confidence AS _confidence
        ), audit AS (${insertChanges(
          { jobId: scope.jobId, operation: "merge", at: now, actor: scope.actor },
          {
            memoryId: sql`upd.id`,
            previousState: sql`upd._prev`,
            newState: sql`jsonb_build_object('is_duplicate', upd.is_duplicate, 'duplicate_of', upd.duplicate_of,
              'is_consolidated', upd.is_consolidated, 'version', upd.version, 'updated_at', upd.updated_at)`,
            reason: sql`upd._reason`,
            confidence: sql`upd._confidence`,
          },
          sql`upd`,
        )})
        SELECT count(*)::int AS n FROM audit`,
  );
  return Number(result[0]?.n ?? 0);
}

/** Adds to one of the job's counters. */
export async function addToCounter(
  tx: Executor,
  jobId: string,
  counter: "memories_merged" | "summaries_created" | "memories_promoted",
  amount: number,
): Promise<void> {
  if (amount === 0) return;
  await queryRows(tx, 
    sql`UPDATE memcons.consolidation_jobs SET ${sql.identifier(counter)} = ${sql.identifier(counter)} + ${amount}
        WHERE id = ${jobId}::uuid`,
  );
}
