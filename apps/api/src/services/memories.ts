import { randomUUID } from "node:crypto";
import { AIProviderError, type Embedder, memoryText, vectorJson } from "@memcons/consolidation-core";
import {
  type Database,
  type MemoryType,
  type TaskMemory,
  taskMemories,
  ValidationError,
} from "@memcons/models";
import { and, desc, eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import type { MemoryInputSchema } from "../schemas/memories.js";
import type { SearchIndex } from "./search-index.js";
import { afterKeyset, cursorTimestamp, decodeKeyset, decodeOffset, encodeOffset, keysetPage } from "./cursor.js";

/** One memory of an ingest request, as validated. */
export type MemoryInput = z.output<typeof MemoryInputSchema>;

/** Inserts memories in one statement, embedding those that come without an embedding in one call. */
export async function ingestMemories(
  db: Database,
  embedder: Embedder,
  projectId: string,
  inputs: readonly MemoryInput[],
): Promise<string[]> {
  const orphan = inputs.findIndex((m) => m.embedding_model !== undefined && m.context_embedding === undefined);
  if (orphan >= 0) {
    throw new ValidationError(`Invalid request body: memories.${orphan}.embedding_model: needs context_embedding`, [
      { path: `memories.${orphan}.embedding_model`, message: "needs context_embedding" },
    ]);
  }
  // A vector of another model may have any length: it is stored as given and re-embedded by the next job.
  const wrong = inputs.findIndex(
    (m) =>
      m.context_embedding !== undefined &&
      (m.embedding_model ?? embedder.model) === embedder.model &&
      m.context_embedding.length !== embedder.dimensions,
  );
  if (wrong >= 0) {
    throw new ValidationError(
      `Invalid request body: memories.${wrong}.context_embedding: must have ${embedder.dimensions} dimensions (the configured embedder's)`,
      [{ path: `memories.${wrong}.context_embedding`, message: `must have ${embedder.dimensions} dimensions` }],
    );
  }
  const missing = inputs.filter((m) => m.context_embedding === undefined);
  const embedded = missing.length > 0 ? await embedder.embed(missing.map(textOf)) : [];
  assertEmbedded(embedder, embedded, missing.length);
  let next = 0;
  const ids = inputs.map(() => randomUUID());
  // The scalar fields travel as one JSON parameter and the vectors as one text[] of array literals, joined back
  // by position: PostgreSQL parses a thousand 256-number vectors about twice as fast this way as inside JSON.
  // Computed vectors are stored at the engine's precision; supplied ones as given.
  const vectors = inputs.map((m) =>
    m.context_embedding ? `"{${m.context_embedding.join(",")}}"` : vectorJson(embedded[next++]!),
  );
  const records = inputs.map((m, i) =>
    JSON.stringify({
      id: ids[i],
      task_id: m.task_id ?? null,
      memory_type: m.memory_type,
      execution_summary: m.execution_summary,
      goal: m.goal ?? null,
      result: m.result ?? null,
      feedback: m.feedback ?? null,
      tags: m.tags ?? [],
      file_paths: m.file_paths ?? [],
      success: m.success ?? true,
      reused_count: m.reused_count ?? 0,
      learned_at: m.learned_at ?? null,
      embedding_model: m.context_embedding ? (m.embedding_model ?? embedder.model) : embedder.model,
    }),
  );
  await db.rows(sql`
    insert into task_memories (id, project_id, task_id, memory_type, execution_summary, goal, result, feedback,
      tags, file_paths, context_embedding, embedding_model, success, reused_count, learned_at)
    select r.id, ${projectId}::uuid, r.task_id, r.memory_type, r.execution_summary, r.goal, r.result, r.feedback,
      r.tags, r.file_paths, v.vector::real[], r.embedding_model, r.success, r.reused_count, coalesce(r.learned_at, now())
    from rows from (json_to_recordset(${`[${records.join(",")}]`}::json) as (
      id uuid, task_id text, memory_type text, execution_summary text, goal text, result text, feedback text,
      tags text[], file_paths text[], success boolean, reused_count int, learned_at timestamptz, embedding_model text)
    ) with ordinality as r(id, task_id, memory_type, execution_summary, goal, result, feedback,
      tags, file_paths, success, reused_count, learned_at, embedding_model, position)
    join unnest(${`{${vectors.join(",")}}`}::text[]) with ordinality as v(vector, position) using (position)`);
  return ids;
}

/** Throws AIProviderError unless the embedder gave one vector of its dimension per text: nothing is stored then. */
function assertEmbedded(embedder: Embedder, vectors: readonly Float32Array[], texts: number): void {
  const wrong = vectors.find((v) => v.length !== embedder.dimensions);
  if (vectors.length === texts && wrong === undefined) return;
  throw new AIProviderError(
    wrong === undefined
      ? `The embedder (${embedder.model}) returned ${vectors.length} vectors for ${texts} texts`
      : `The embedder (${embedder.model}) returned a vector of ${wrong.length} dimensions instead of ${embedder.dimensions}`,
    { permanent: true },
  );
}

function textOf(m: MemoryInput): string {
  return memoryText({
    executionSummary: m.execution_summary,
    goal: m.goal ?? null,
    result: m.result ?? null,
    feedback: m.feedback ?? null,
  });
}

/** Filters of a memory listing. */
export interface ListMemoriesInput {
  q?: string | undefined;
  memoryType?: MemoryType | undefined;
  includeArchived: boolean;
  includeDuplicates: boolean;
  limit: number;
  cursor?: string | undefined;
}

/** A memory row without its embedding, optionally with its similarity to the query. */
export type ListedMemory = TaskMemory & { similarity?: number };

const { contextEmbedding: _embedding, ...listedColumns } = getTableColumns(taskMemories);

/** Lists a project's memories newest first, or ranked by similarity to `q` (every memory, exactly). */
export async function listMemories(
  db: Database,
  embedder: Embedder,
  searchIndex: SearchIndex,
  projectId: string,
  input: ListMemoriesInput,
): Promise<{ memories: ListedMemory[]; nextCursor: string | null }> {
  const filters: SQL[] = [eq(taskMemories.projectId, projectId)];
  if (!input.includeArchived) filters.push(eq(taskMemories.isArchived, false));
  if (!input.includeDuplicates) filters.push(eq(taskMemories.isDuplicate, false));
  if (input.memoryType) filters.push(eq(taskMemories.memoryType, input.memoryType));
  if (input.q !== undefined && input.q.trim().length > 0) {
    return searchMemories(db, embedder, searchIndex, projectId, input);
  }
  const position = input.cursor ? decodeKeyset(input.cursor) : undefined;
  if (position) filters.push(afterKeyset(taskMemories.createdAt, taskMemories.id, position));
  const rows = await db.orm
    .select({ memory: listedColumns, ts: cursorTimestamp(taskMemories.createdAt) })
    .from(taskMemories)
    .where(and(...filters))
    .orderBy(desc(taskMemories.createdAt), desc(taskMemories.id))
    .limit(input.limit + 1);
  const { page, nextCursor } = keysetPage(rows, input.limit, (row) => row.memory.id);
  return { memories: page.map((row) => ({ ...row.memory, contextEmbedding: null })), nextCursor };
}

async function searchMemories(
  db: Database,
  embedder: Embedder,
  searchIndex: SearchIndex,
  projectId: string,
  input: ListMemoriesInput,
): Promise<{ memories: ListedMemory[]; nextCursor: string | null }> {
  const offset = input.cursor ? decodeOffset(input.cursor) : 0;
  const embedded = await embedder.embed([input.q ?? ""]);
  assertEmbedded(embedder, embedded, 1);
  const { ranked, total } = await searchIndex.rank(
    db,
    projectId,
    embedded[0]!,
    input,
    offset + input.limit,
    // Only vectors of the configured model are comparable with the query's.
    embedder.model,
  );
  const page = ranked.slice(offset, offset + input.limit);
  if (page.length === 0) return { memories: [], nextCursor: null };
  const rows = await db.orm
    .select(listedColumns)
    .from(taskMemories)
    .where(inArray(taskMemories.id, page.map((p) => p.id)));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const memories = page.flatMap((p) => {
    const row = byId.get(p.id);
    return row ? [{ ...row, contextEmbedding: null, similarity: p.similarity }] : [];
  });
  return {
    memories,
    nextCursor: offset + input.limit < total ? encodeOffset(offset + input.limit) : null,
  };
}

/** Splits ids into those naming memories of the project and those that do not. */
export async function partitionProjectMemories(
  db: Database,
  projectId: string,
  ids: readonly string[],
): Promise<{ found: string[]; notFound: string[] }> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  const rows = await db.orm
    .select({ id: taskMemories.id })
    .from(taskMemories)
    .where(and(eq(taskMemories.projectId, projectId), inArray(taskMemories.id, unique)));
  const present = new Set(rows.map((row) => row.id));
  return { found: unique.filter((id) => present.has(id)), notFound: unique.filter((id) => !present.has(id)) };
}
