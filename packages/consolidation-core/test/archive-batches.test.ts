// The archive phase reads the stale ids once and archives them in batches of 2,500 on two lanes: every stale
// memory is archived exactly once, however many batches it takes.
import { roundVector } from "@memcons/models";
import { createTestDatabase, preferredTarget } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsolidationResult, createHashingEmbedder, memoryText, runConsolidation } from "../src/index.js";
import { createJob, createProject, generateMemories, insertMemories } from "../src/testing/index.js";

describe("archiving more stale memories than one batch holds", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let projectId: string;
  let jobId: string;
  let result: ConsolidationResult;

  beforeAll(async () => {
    db = await createTestDatabase(preferredTarget(process.env.DATABASE_URL));
    projectId = await createProject(db, { name: "stale" });
    // Learned two years ago: every memory reused fewer than 3 times is stale.
    const memories = generateMemories({ count: 24_000, seed: 11, now: new Date(Date.now() - 730 * 86_400_000) });
    await insertMemories(db, projectId, memories);
    jobId = await createJob(db, projectId);
    result = await runConsolidation(db, jobId);
  }, 240_000);
  afterAll(async () => {
    await db?.close();
  });

  it("archives every stale memory left after merging and review, in more than one batch", async () => {
    const [left] = await db.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM memcons.task_memories
          WHERE project_id = ${projectId} AND is_archived = false AND is_duplicate = false
            AND memory_type NOT IN ('consolidated', 'synthesis') AND reused_count < 3
            -- memories a pending review proposal holds wait for a decision, not for archiving
            AND id NOT IN (SELECT unnest(member_ids) FROM memcons.consolidation_proposals WHERE status = 'pending')`,
    );
    expect(left?.n).toBe(0);
    expect(result.memories_archived).toBeGreaterThan(5_000);
    const archive = (result.metrics as { archive: { batches: number } }).archive;
    expect(archive.batches).toBeGreaterThan(1);
  });

  it("writes one audit row per archived memory and counts each once", async () => {
    const [row] = await db.rows<{ archived: number; audited: number; distinct_audited: number; counter: number }>(
      sql`SELECT (SELECT count(*)::int FROM memcons.task_memories WHERE project_id = ${projectId} AND is_archived) AS archived,
            (SELECT count(*)::int FROM memcons.consolidation_changes WHERE consolidation_job_id = ${jobId} AND operation = 'archive') AS audited,
            (SELECT count(DISTINCT memory_id)::int FROM memcons.consolidation_changes
              WHERE consolidation_job_id = ${jobId} AND operation = 'archive') AS distinct_audited,
            (SELECT memories_archived FROM memcons.consolidation_jobs WHERE id = ${jobId}) AS counter`,
    );
    expect(row).toEqual({
      archived: result.memories_archived,
      audited: result.memories_archived,
      distinct_audited: result.memories_archived,
      counter: result.memories_archived,
    });
  });

  it("stores the embedding detection computed for each archived memory with the archiving write itself", async () => {
    const archive = (result.metrics as { archive: { embeddings_stored: number } }).archive;
    // The memories were inserted without embeddings, so detection computed one for every archived memory.
    expect(archive.embeddings_stored).toBe(result.memories_archived);
    const embedder = createHashingEmbedder();
    // The row's current tuple was written by the transaction that wrote its archive audit row: nothing rewrote it.
    const rows = await db.rows<{
      execution_summary: string;
      goal: string | null;
      result: string | null;
      feedback: string | null;
      embedding: number[] | null;
      embedding_model: string | null;
      same_write: boolean;
    }>(
      sql`SELECT t.execution_summary, t.goal, t.result, t.feedback, t.context_embedding AS embedding, t.embedding_model,
            t.xmin::text = c.xmin::text AS same_write
          FROM memcons.task_memories t
          JOIN memcons.consolidation_changes c ON c.memory_id = t.id AND c.consolidation_job_id = ${jobId} AND c.operation = 'archive'
          WHERE t.project_id = ${projectId} AND t.is_archived`,
    );
    expect(rows.length).toBe(result.memories_archived);
    expect(rows.every((r) => r.same_write && r.embedding_model === embedder.model && r.embedding?.length === embedder.dimensions)).toBe(true);
    const sample = rows.slice(0, 40);
    const expected = await embedder.embed(
      sample.map((r) => memoryText({ executionSummary: r.execution_summary, goal: r.goal, result: r.result, feedback: r.feedback })),
    );
    sample.forEach((r, k) => {
      expect(Float32Array.from(r.embedding ?? [])).toEqual(roundVector(expected[k] as Float32Array));
    });
  });
});
