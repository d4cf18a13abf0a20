// A memory whose embedding a job computes is embedded once: the job stores that embedding before promotion, which
// then reads it instead of embedding the memory's text a second time.
import { uuidArray } from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Embedder, createHashingEmbedder, memoryText, runConsolidation } from "../src/index.js";
import { createJob, createProject, generateMemories, insertMemories } from "../src/testing/index.js";
import { finishJob } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

/** The hashing embedder, counting how often it embedded each text. */
function countingEmbedder(): { embedder: Embedder; counts: Map<string, number> } {
  const base = createHashingEmbedder();
  const counts = new Map<string, number>();
  const embedder: Embedder = {
    model: base.model,
    dimensions: base.dimensions,
    embed(texts, signal) {
      for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
      return base.embed(texts, signal);
    },
  };
  return { embedder, counts };
}

describe.each(testTargets(process.env.DATABASE_URL))("embedding a memory once per job on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("promotes memories without a stored embedding after embedding each of them once", { timeout: 60_000 }, async () => {
    const projectId = await createProject(db);
    await insertMemories(db, projectId, generateMemories({ count: 300, seed: 41, now: new Date() }));
    const firstId = await createJob(db, projectId, { options: { promote_enabled: false } });
    await runConsolidation(db, firstId);
    await finishJob(db, firstId);
    // The memories the first job created lose their embeddings: the next job must compute them.
    const cleared = await db.rows<{ id: string }>(
      sql`UPDATE memcons.task_memories SET context_embedding = NULL, embedding_model = NULL
          WHERE project_id = ${projectId}::uuid AND memory_type IN ('consolidated', 'synthesis') RETURNING id`,
    );
    expect(cleared.length).toBeGreaterThan(0);

    const { embedder, counts } = countingEmbedder();
    const second = await runConsolidation(db, await createJob(db, projectId), { embedder });
    expect(second.memories_promoted).toBeGreaterThan(0);
    const promoted = await db.rows<{ id: string; execution_summary: string; goal: string | null; result: string | null; feedback: string | null; stored: boolean }>(
      sql`SELECT m.id, m.execution_summary, m.goal, m.result, m.feedback, m.context_embedding IS NOT NULL AS stored
          FROM memcons.playbook_entries p JOIN memcons.task_memories m ON m.id = p.supporting_memory_ids[1]
          WHERE p.project_id = ${projectId}::uuid AND m.id = ANY(${uuidArray(cleared.map((c) => c.id))})`,
    );
    expect(promoted.length).toBeGreaterThan(0);
    for (const memory of promoted) {
      const text = memoryText({ executionSummary: memory.execution_summary, goal: memory.goal, result: memory.result, feedback: memory.feedback });
      expect(counts.get(text)).toBe(1);
      expect(memory.stored).toBe(true);
    }
  });
});
