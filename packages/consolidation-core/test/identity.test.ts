import { ProjectNotFoundError } from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHashingEmbedder, memoryText, reembedProject, runConsolidation } from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { FIXTURE, seedFixture } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

/** Gives every memory of a project the same vector, said to come from another model of the same dimension. */
async function foreignVectors(db: Db, projectId: string): Promise<void> {
  const same = `{${Array.from({ length: 256 }, (_, i) => (i === 0 ? 1 : 0)).join(",")}}`;
  await db.rows(
    sql`UPDATE memcons.task_memories SET context_embedding = ${same}::real[], embedding_model = 'other-model-256'
        WHERE project_id = ${projectId}::uuid`,
  );
}

async function storedVectors(db: Db, projectId: string) {
  return db.rows<{ id: string; model: string | null; emb: string; execution_summary: string; goal: string | null; result: string | null; feedback: string | null }>(
    sql`SELECT id, embedding_model AS model, array_to_string(context_embedding, ',') AS emb, execution_summary, goal, result, feedback
        FROM memcons.task_memories WHERE project_id = ${projectId}::uuid AND memory_type NOT IN ('consolidated', 'synthesis') ORDER BY id`,
  );
}

describe.each(testTargets(process.env.DATABASE_URL))("embedder identity on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("never compares vectors of another model: a job re-embeds them and clusters as if they were missing", async () => {
    const projectId = await createProject(db);
    await seedFixture(db, projectId);
    await foreignVectors(db, projectId);
    const jobId = await createJob(db, projectId, { status: "running", options: { promote_confidence_threshold: 0.6 } });
    const result = await runConsolidation(db, jobId);
    // Identical foreign vectors would have put every memory of a type into one cluster.
    expect(result.clusters).toBe(2);
    expect(result.memories_merged).toBe(5);
    expect((result.metrics.detect as { embedded: number }).embedded).toBe(FIXTURE.length);
    const embedder = createHashingEmbedder();
    const rows = await storedVectors(db, projectId);
    expect(rows).toHaveLength(FIXTURE.length);
    for (const row of rows) {
      expect(row.model).toBe("hashing-v3-256");
      const [expected] = await embedder.embed([
        memoryText({ executionSummary: row.execution_summary, goal: row.goal, result: row.result, feedback: row.feedback }),
      ]);
      const stored = row.emb.split(",").map(Number);
      stored.forEach((x, i) => {
        expect(x).toBeCloseTo((expected as Float32Array)[i] as number, 5);
      });
    }
    const created = await db.rows<{ model: string | null }>(
      sql`SELECT embedding_model AS model FROM memcons.task_memories WHERE project_id = ${projectId}::uuid AND memory_type IN ('consolidated', 'synthesis')`,
    );
    // Two consolidated memories and one synthesis.
    expect(created.map((r) => r.model)).toEqual(["hashing-v3-256", "hashing-v3-256", "hashing-v3-256"]);
    const entries = await db.rows<{ model: string | null }>(
      sql`SELECT embedding_model AS model FROM memcons.playbook_entries WHERE project_id = ${projectId}::uuid`,
    );
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e.model).toBe("hashing-v3-256");
  });

  it("reembedProject re-embeds what the embedder did not produce, with progress, and nothing twice", async () => {
    const projectId = await createProject(db);
    await seedFixture(db, projectId);
    await foreignVectors(db, projectId);
    await db.rows(
      sql`INSERT INTO memcons.playbook_entries (project_id, content, category, embedding, embedding_model)
          VALUES (${projectId}::uuid, 'Await the session write before returning.', 'error_fix', '{1,0}'::real[], 'other-model-2')`,
    );
    const embedder = createHashingEmbedder({ version: 2 });
    const progress: Array<{ done: number; total: number }> = [];
    const result = await reembedProject(db, projectId, { embedder, batchSize: 3, onProgress: (p) => void progress.push(p) });
    expect(result).toEqual({
      project_id: projectId,
      embedding_model: "hashing-v2-256",
      memories_reembedded: FIXTURE.length,
      playbook_entries_reembedded: 1,
      skipped: 0,
    });
    expect(progress[0]).toEqual({ done: 0, total: FIXTURE.length + 1 });
    expect(progress.at(-1)).toEqual({ done: FIXTURE.length + 1, total: FIXTURE.length + 1 });
    for (let i = 1; i < progress.length; i++) expect((progress[i] as { done: number }).done).toBeGreaterThan((progress[i - 1] as { done: number }).done);
    for (const row of await storedVectors(db, projectId)) {
      expect(row.model).toBe("hashing-v2-256");
      const [expected] = await embedder.embed([
        memoryText({ executionSummary: row.execution_summary, goal: row.goal, result: row.result, feedback: row.feedback }),
      ]);
      expect(Number(row.emb.split(",")[0])).toBeCloseTo((expected as Float32Array)[0] as number, 5);
      expect(row.emb.split(",")).toHaveLength(256);
    }
    const [entry] = await db.rows<{ model: string; n: number }>(
      sql`SELECT embedding_model AS model, cardinality(embedding) AS n FROM memcons.playbook_entries WHERE project_id = ${projectId}::uuid`,
    );
    expect(entry).toEqual({ model: "hashing-v2-256", n: 256 });
    const again = await reembedProject(db, projectId, { embedder });
    expect(again).toMatchObject({ memories_reembedded: 0, playbook_entries_reembedded: 0 });
    const all = await reembedProject(db, projectId, { embedder, all: true });
    expect(all).toMatchObject({ memories_reembedded: FIXTURE.length, playbook_entries_reembedded: 1 });
  });

  it("reembedProject refuses an unknown project", async () => {
    await expect(
      reembedProject(db, "00000000-0000-4000-8000-000000000000", { embedder: createHashingEmbedder() }),
    ).rejects.toBeInstanceOf(ProjectNotFoundError);
  });
});
