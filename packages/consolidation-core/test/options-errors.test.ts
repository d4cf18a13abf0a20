import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EmbeddingDimensionError,
  type Embedder,
  type Synthesizer,
  InvalidOptionsError,
  JobNotFoundError,
  JobNotRunnableError,
  ProjectNotFoundError,
  archiveMemories,
  cosineSimilarity,
  purgeAuditRecords,
  runConsolidation,
  unarchiveMemories,
} from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { finishJob, memory, seedFixture } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

async function nothingWritten(db: Db, projectId: string, jobId: string): Promise<void> {
  const [changes] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes WHERE consolidation_job_id = ${jobId}::uuid`);
  expect(changes?.n).toBe(0);
  const [job] = await db.rows<{ phases: string[]; progress: number }>(sql`SELECT phases_completed AS phases, progress FROM memcons.consolidation_jobs WHERE id = ${jobId}::uuid`);
  expect(job?.phases).toEqual([]);
  const [created] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.task_memories
    WHERE project_id = ${projectId}::uuid AND (memory_type IN ('consolidated', 'synthesis') OR is_duplicate OR is_archived OR is_consolidated)`);
  expect(created?.n).toBe(0);
}

describe.each(testTargets(process.env.DATABASE_URL))("options and errors on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("rejects unknown jobs, finished jobs, missing projects and invalid options without writing", async () => {
    await expect(runConsolidation(db, "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(runConsolidation(db, "nope")).rejects.toBeInstanceOf(JobNotFoundError);
    const projectId = await createProject(db);
    await seedFixture(db, projectId);
    const done = await createJob(db, projectId);
    await finishJob(db, done);
    const notRunnable = await runConsolidation(db, done).catch((e: unknown) => e);
    expect(notRunnable).toBeInstanceOf(JobNotRunnableError);
    expect((notRunnable as JobNotRunnableError).code).toBe("conflict");
    const bad = await createJob(db, projectId, { status: "cancelled", options: {} });
    await expect(runConsolidation(db, bad)).rejects.toBeInstanceOf(JobNotRunnableError);
    const invalid = await createJob(db, projectId, { options: { similarity_threshold: 2, bogus: true } });
    const error = await runConsolidation(db, invalid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues.map((i) => i.path).sort()).toEqual(["bogus", "similarity_threshold"]);
    await nothingWritten(db, projectId, invalid);
    expect(new ProjectNotFoundError("x").code).toBe("not_found");
  });

  it("throws EmbeddingDimensionError for an embedder returning the wrong length, with nothing half-written", async () => {
    const projectId = await createProject(db);
    await seedFixture(db, projectId);
    const jobId = await createJob(db, projectId);
    const liar: Embedder = { model: "liar", dimensions: 32, embed: async (texts) => texts.map(() => new Float32Array(16)) };
    const error = await runConsolidation(db, jobId, { embedder: liar }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingDimensionError);
    await nothingWritten(db, projectId, jobId);
    const [embedded] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.task_memories WHERE project_id = ${projectId}::uuid AND context_embedding IS NOT NULL`);
    expect(embedded?.n).toBe(0);
  });

  it("merges across types only when allow_cross_type is set, and skips disabled phases", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    const jobId = await createJob(db, projectId, { options: { allow_cross_type: true, archive_enabled: false, summarize_enabled: false, promote_enabled: false } });
    const result = await runConsolidation(db, jobId);
    expect((await memory(db, ids.b2x as string)).is_duplicate).toBe(true);
    expect(result.memories_archived).toBe(0);
    expect(result.summaries_created).toBe(0);
    expect((await memory(db, ids.stale as string)).is_archived).toBe(false);
    expect((result.metrics.archive as { skipped?: boolean }).skipped).toBe(true);
    expect(result.phases_completed).toEqual(["detect", "merge", "summarize", "archive", "promote"]);
  });

  it("limits candidates to unconsolidated memories with the unconsolidated_only scope", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    await db.rows(sql`UPDATE memcons.task_memories SET is_consolidated = true WHERE id = ${ids.a1 as string}::uuid OR id = ${ids.stale as string}::uuid`);
    const jobId = await createJob(db, projectId, { scope: { unconsolidated_only: true } });
    const result = await runConsolidation(db, jobId);
    expect((await memory(db, ids.a1 as string)).is_duplicate).toBe(false);
    expect((await memory(db, ids.a2 as string)).is_duplicate).toBe(true);
    expect((await memory(db, ids.stale as string)).is_archived).toBe(false);
    expect((result.metrics.detect as { candidates: number }).candidates).toBe(8);
  });

  it("skips promotion when an equivalent playbook entry already exists", async () => {
    const projectId = await createProject(db, { options: { promote_confidence_threshold: 0.6 } });
    await seedFixture(db, projectId);
    const first = await createJob(db, projectId);
    const one = await runConsolidation(db, first);
    expect(one.memories_promoted).toBeGreaterThan(0);
    await finishJob(db, first);
    // Re-create the same memories: the new consolidated memories match existing entries.
    const again = await seedFixture(db, projectId);
    expect(Object.keys(again)).toHaveLength(10);
    const second = await createJob(db, projectId, { options: { allow_cross_type: false } });
    const two = await runConsolidation(db, second);
    expect(two.memories_merged).toBeGreaterThan(0);
    expect((two.metrics.promote as { skipped_equivalent: number }).skipped_equivalent).toBeGreaterThan(0);
    const entries = await db.rows<{ content: string; emb: string }>(sql`SELECT content, array_to_string(embedding, ',') AS emb
      FROM memcons.playbook_entries WHERE project_id = ${projectId}::uuid`);
    expect(entries).toHaveLength(one.memories_promoted + two.memories_promoted);
    const vectors = entries.map((e) => e.emb.split(",").map(Number));
    for (let i = 0; i < vectors.length; i++) {
      for (let j = i + 1; j < vectors.length; j++) {
        expect(cosineSimilarity(vectors[i] as number[], vectors[j] as number[])).toBeLessThan(0.9);
      }
    }
  });

  it("handles an empty project and recomputes embeddings stored with another dimension", async () => {
    const empty = await createProject(db);
    const none = await runConsolidation(db, await createJob(db, empty));
    expect(none).toMatchObject({ memories_merged: 0, memories_archived: 0, memories_promoted: 0, summaries_created: 0, clusters: 0 });
    expect(none.phases_completed).toEqual(["detect", "merge", "summarize", "archive", "promote"]);

    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    await db.rows(sql`UPDATE memcons.task_memories SET context_embedding = '{0.5,0.5,0.5}'::real[] WHERE id = ${ids.s1 as string}::uuid`);
    const result = await runConsolidation(db, await createJob(db, projectId));
    expect((result.metrics.detect as { embedded: number }).embedded).toBe(10);
    const [row] = await db.rows<{ n: number; v: number }>(sql`SELECT cardinality(context_embedding) AS n, version AS v FROM memcons.task_memories WHERE id = ${ids.s1 as string}::uuid`);
    expect(row).toEqual({ n: 256, v: 1 });
  });

  it("flags low-confidence syntheses for review and never promotes them", async () => {
    const projectId = await createProject(db, { options: { promote_confidence_threshold: 0.4 } });
    await seedFixture(db, projectId);
    const unsure: Synthesizer = {
      model: "unsure",
      synthesize: async (memories) => ({ content: `Unsure about ${memories.length} memories.`, confidence: 0.5, category: "learning", tags: ["x"], patterns: [], best_practices: [], warnings: [] }),
    };
    const result = await runConsolidation(db, await createJob(db, projectId), { synthesizer: unsure });
    expect(result.summaries_created).toBe(1);
    const [synthesis] = await db.rows<{ id: string; needs_review: boolean; c: number }>(sql`SELECT id, needs_review, synthesis_confidence AS c
      FROM memcons.task_memories WHERE project_id = ${projectId}::uuid AND memory_type = 'synthesis'`);
    expect(synthesis).toMatchObject({ needs_review: true, c: 0.5 });
    const entries = await db.rows(sql`SELECT 1 FROM memcons.playbook_entries WHERE ${synthesis?.id as string}::uuid = ANY(supporting_memory_ids)`);
    expect(entries).toHaveLength(0);
    expect(result.memories_promoted).toBeGreaterThan(0);
  });

  it("archives and unarchives by hand and purges old audit rows", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    const s1 = ids.s1 as string;
    expect(await archiveMemories(db, [s1, s1], { actor: "admin" })).toEqual({ archived: 1 });
    const archived = await memory(db, s1);
    expect(archived).toMatchObject({ is_archived: true, archive_reason: "manual", version: 2 });
    expect(await archiveMemories(db, [s1])).toEqual({ archived: 0 });
    expect(await unarchiveMemories(db, [s1])).toEqual({ unarchived: 1 });
    expect(await memory(db, s1)).toMatchObject({ is_archived: false, archive_reason: null, archived_at: null, version: 3 });
    await expect(archiveMemories(db, ["not-a-uuid"])).rejects.toMatchObject({ code: "validation_error" });

    const jobId = await createJob(db, projectId);
    await runConsolidation(db, jobId);
    const [{ n: total } = { n: 0 }] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes`);
    await db.rows(sql`UPDATE memcons.consolidation_changes SET changed_at = now() - interval '100 days' WHERE consolidation_job_id = ${jobId}::uuid`);
    // Only rows of jobs past their rollback window are purged.
    await db.rows(sql`UPDATE memcons.consolidation_jobs SET status = 'completed', completed_at = now() - interval '100 days' WHERE id = ${jobId}::uuid`);
    const [{ n: old } = { n: 0 }] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes WHERE consolidation_job_id = ${jobId}::uuid`);
    expect(await purgeAuditRecords(db, { olderThanDays: 120 })).toEqual({ deleted: 0 });
    expect(await purgeAuditRecords(db)).toEqual({ deleted: old });
    const [{ n: left } = { n: 0 }] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes`);
    expect(left).toBe(total - old);
    await expect(purgeAuditRecords(db, { olderThanDays: 6 })).rejects.toMatchObject({ code: "validation_error" });
  });

  it("purges a backlog larger than one delete batch completely, keeping the young rows", async () => {
    await db.rows(sql`DELETE FROM memcons.consolidation_changes`);
    await db.rows(sql`INSERT INTO memcons.consolidation_changes (operation, reason, changed_at, changed_by)
      SELECT 'archive', 'backlog ' || i, now() - interval '200 days' + i * interval '1 second', 'admin'
      FROM generate_series(1, 25003) AS i`);
    await db.rows(sql`INSERT INTO memcons.consolidation_changes (operation, reason, changed_by)
      SELECT 'unarchive', 'recent ' || i, 'admin' FROM generate_series(1, 7) AS i`);
    // An aborted purge stops before its next batch and leaves the rest for the next run.
    expect(await purgeAuditRecords(db, { signal: AbortSignal.abort() })).toEqual({ deleted: 0 });
    expect(await purgeAuditRecords(db)).toEqual({ deleted: 25003 });
    const left = await db.rows<{ operation: string; n: number }>(sql`SELECT operation, count(*)::int AS n
      FROM memcons.consolidation_changes GROUP BY operation`);
    expect(left).toEqual([{ operation: "unarchive", n: 7 }]);
  });
});
