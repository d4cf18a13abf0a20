import { type Database, type Executor, queryRows, ValidationError, vectorJson } from "@memcons/models";
import { sql } from "drizzle-orm";
import type { SyntheticMemory } from "./generator.js";

/** Creates a project for tests and benchmarks; returns its id. */
export async function createProject(
  db: Database,
  o: { name?: string; options?: Record<string, unknown> } = {},
): Promise<string> {
  const [row] = await db.rows<{ id: string }>(
    sql`INSERT INTO memcons.projects (name, consolidation_options)
        VALUES (${o.name ?? "test project"}, ${JSON.stringify(o.options ?? {})}::jsonb) RETURNING id`,
  );
  return (row as { id: string }).id;
}

/** Creates a pending consolidation job for a project; returns its id. */
export async function createJob(
  db: Database,
  projectId: string,
  o: { options?: Record<string, unknown>; scope?: Record<string, unknown>; status?: string } = {},
): Promise<string> {
  const [row] = await db.rows<{ id: string }>(
    sql`INSERT INTO memcons.consolidation_jobs (project_id, trigger_type, options, scope, status)
        VALUES (${projectId}::uuid, 'manual', ${JSON.stringify(o.options ?? {})}::jsonb,
                ${JSON.stringify(o.scope ?? {})}::jsonb, ${o.status ?? "pending"}) RETURNING id`,
  );
  return (row as { id: string }).id;
}

/** Embeddings to store with inserted memories: one vector per memory, in order, made by `model` (rounded in place to the stored precision). */
export interface SeedEmbeddings {
  vectors: readonly Float32Array[];
  model: string;
}

/** Inserts generated memories in bulk batches, without embeddings unless given; keeps their ids. */
export async function insertMemories(
  db: Database | Executor,
  projectId: string,
  memories: readonly SyntheticMemory[],
  batchSize = 2000,
  embeddings?: SeedEmbeddings,
): Promise<void> {
  if (embeddings && embeddings.vectors.length !== memories.length) {
    throw new ValidationError(`insertMemories: ${embeddings.vectors.length} embeddings for ${memories.length} memories`, [
      { path: "embeddings.vectors", message: `must hold one vector per memory (${memories.length})` },
    ]);
  }
  const executor = "orm" in db ? db.orm : db;
  for (let start = 0; start < memories.length; start += batchSize) {
    const batch = memories.slice(start, start + batchSize).map((m, k) => ({
      id: m.id,
      task_id: m.taskId,
      memory_type: m.memoryType,
      execution_summary: m.executionSummary,
      goal: m.goal,
      result: m.result,
      feedback: m.feedback,
      tags: m.tags,
      file_paths: m.filePaths,
      success: m.success,
      reused_count: m.reusedCount,
      last_reused_at: m.lastReusedAt?.toISOString() ?? null,
      learned_at: m.learnedAt.toISOString(),
      // Rounded to the stored precision and written as the API's ingest writes it.
      context_embedding: embeddings ? (JSON.parse(vectorJson(embeddings.vectors[start + k] as Float32Array)) as string) : null,
    }));
    await queryRows(
      executor,
      sql`INSERT INTO memcons.task_memories (id, project_id, task_id, memory_type, execution_summary, goal, result,
            feedback, tags, file_paths, success, reused_count, last_reused_at, learned_at, created_at, updated_at,
            context_embedding, embedding_model)
          SELECT r.id, ${projectId}::uuid, r.task_id, r.memory_type, r.execution_summary, r.goal, r.result,
            r.feedback, r.tags, r.file_paths, r.success, r.reused_count, r.last_reused_at, r.learned_at,
            r.learned_at, r.learned_at, r.context_embedding::real[], ${embeddings ? embeddings.model : null}::text
          FROM jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS r(id uuid, task_id text, memory_type text,
            execution_summary text, goal text, result text, feedback text, tags text[], file_paths text[],
            success boolean, reused_count int, last_reused_at timestamptz, learned_at timestamptz, context_embedding text)`,
    );
  }
}
