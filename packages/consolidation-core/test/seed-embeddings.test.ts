// insertMemories can store each memory with its embedding, as the API's ingest does; a job on such memories
// reads the stored vectors (binary form) instead of computing them, and consolidates exactly as when it computes them.
import { readVector, ValidationError } from "@memcons/models";
import { createTestDatabase, preferredTarget } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHashingEmbedder, memoryText, runConsolidation } from "../src/index.js";
import { createJob, createProject, generateMemories, insertMemories } from "../src/testing/index.js";

describe("memories inserted with their embeddings", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const embedder = createHashingEmbedder();
  const now = new Date();

  beforeAll(async () => {
    db = await createTestDatabase(preferredTarget(process.env.DATABASE_URL));
  });
  afterAll(async () => {
    await db?.close();
  });

  it("stores each memory's vector at the stored precision with the model's name", async () => {
    const projectId = await createProject(db, { name: "stored" });
    const memories = generateMemories({ count: 12, seed: 3, now });
    const vectors = await embedder.embed(memories.map((m) => memoryText(m)));
    await insertMemories(db, projectId, memories, 5, { vectors, model: embedder.model });
    const rows = await db.rows<{ id: string; bytes: Uint8Array; model: string }>(
      sql`SELECT id::text, array_send(context_embedding) AS bytes, embedding_model AS model
          FROM memcons.task_memories WHERE project_id = ${projectId}::uuid`,
    );
    expect(rows).toHaveLength(12);
    for (const row of rows) {
      const k = memories.findIndex((m) => m.id === row.id);
      const stored = new Float32Array(embedder.dimensions);
      expect(readVector(row.bytes, stored, 0, embedder.dimensions)).toBe(true);
      expect(Array.from(stored)).toEqual(Array.from(vectors[k] as Float32Array));
      expect(row.model).toBe(embedder.model);
    }
  });

  it("refuses a vector count that does not match the memories and inserts nothing", async () => {
    const projectId = await createProject(db, { name: "mismatch" });
    const memories = generateMemories({ count: 4, seed: 4, now });
    const vectors = await embedder.embed(memories.slice(1).map((m) => memoryText(m)));
    await expect(insertMemories(db, projectId, memories, 2000, { vectors, model: embedder.model })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const [row] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.task_memories WHERE project_id = ${projectId}::uuid`);
    expect(row?.n).toBe(0);
  });

  it("consolidates stored vectors exactly as computed ones, computing none", async () => {
    const memories = generateMemories({ count: 300, seed: 5, now });
    const results = [];
    for (const stored of [false, true]) {
      // The same memories (same ids, so the same candidate order) in a database of their own.
      const own = stored ? await createTestDatabase(preferredTarget(process.env.DATABASE_URL)) : db;
      const projectId = await createProject(own, { name: stored ? "embedded" : "computed" });
      const vectors = stored ? await embedder.embed(memories.map((m) => memoryText(m))) : undefined;
      await insertMemories(own, projectId, memories, 2000, vectors && { vectors, model: embedder.model });
      try {
        const result = await runConsolidation(own, await createJob(own, projectId), { embedder });
        const merged = await own.rows<{ ids: string }>(
          sql`SELECT array_to_string(ARRAY(SELECT unnest(consolidated_from) ORDER BY 1), ',') AS ids FROM memcons.task_memories
              WHERE project_id = ${projectId}::uuid AND memory_type = 'consolidated' ORDER BY 1`,
        );
        results.push({ embedded: (result.metrics.detect as { embedded: number }).embedded, merged: merged.map((r) => r.ids) });
      } finally {
        if (own !== db) await own.close();
      }
    }
    expect(results[0]?.embedded).toBe(300);
    expect(results[1]?.embedded).toBe(0);
    expect(results[1]?.merged.length).toBeGreaterThan(0);
    expect(results[1]?.merged).toEqual(results[0]?.merged);
  });
});
