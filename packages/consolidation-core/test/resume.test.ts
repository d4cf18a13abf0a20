import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsolidationAbortedError, createHashingEmbedder, type Embedder, runConsolidation } from "../src/index.js";
import { createJob, createProject, generateMemories, insertMemories } from "../src/testing/index.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

async function seededJob(db: Db, seed: number): Promise<{ projectId: string; jobId: string }> {
  const projectId = await createProject(db);
  await insertMemories(db, projectId, generateMemories({ count: 150, seed, now: new Date() }));
  return { projectId, jobId: await createJob(db, projectId) };
}

async function jobRow(db: Db, jobId: string) {
  const [row] = await db.rows<Record<string, unknown>>(sql`SELECT status, phases_completed, memories_merged, summaries_created, metrics
    FROM memcons.consolidation_jobs WHERE id = ${jobId}::uuid`);
  const metrics = (typeof row?.metrics === "string" ? JSON.parse(row.metrics) : row?.metrics) as Record<string, Record<string, number>>;
  return { ...row, metrics } as { status: string; phases_completed: string[]; memories_merged: number; summaries_created: number; metrics: Record<string, Record<string, number>> & { memories_out?: number } };
}

/** Every consolidated memory owns exactly its sources, and every duplicate points at one. */
async function expectWholeClusters(db: Db, projectId: string): Promise<number> {
  const merged = await db.rows<{ id: string; n: number; dups: number }>(sql`
    SELECT c.id, cardinality(c.consolidated_from) AS n,
      (SELECT count(*)::int FROM memcons.task_memories s WHERE s.duplicate_of = c.id AND s.is_duplicate) AS dups
    FROM memcons.task_memories c WHERE c.project_id = ${projectId}::uuid AND c.memory_type = 'consolidated'`);
  for (const m of merged) expect(m.dups).toBe(m.n);
  const stray = await db.rows(sql`SELECT id FROM memcons.task_memories WHERE project_id = ${projectId}::uuid
    AND (is_duplicate AND duplicate_of IS NULL OR NOT is_duplicate AND duplicate_of IS NOT NULL)`);
  expect(stray).toHaveLength(0);
  return merged.length;
}

describe.each(testTargets(process.env.DATABASE_URL))("cancel and resume on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("stops between clusters when the signal aborts, leaves the status alone, and resumes to the end", async () => {
    const { projectId, jobId } = await seededJob(db, 5);
    const controller = new AbortController();
    const reason = new Error("cancel requested by admin");
    const error = await runConsolidation(db, jobId, {
      signal: controller.signal,
      batchSize: 2,
      onProgress: (p) => {
        if (p.phase === "merge" && p.progress < 0.7) controller.abort(reason);
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsolidationAbortedError);
    expect((error as ConsolidationAbortedError).cause).toBe(reason);
    expect((error as ConsolidationAbortedError).permanent).toBe(false);
    const stopped = await jobRow(db, jobId);
    expect(stopped.status).toBe("pending");
    expect(stopped.phases_completed).toEqual(["detect"]);
    const clusters = Number(stopped.metrics.detect?.clusters);
    expect(clusters).toBeGreaterThan(4);
    // Batches of 2 clusters; on PostgreSQL two batches may be in flight when the signal fires.
    const partial = await expectWholeClusters(db, projectId);
    expect([2, 4]).toContain(partial);
    expect(stopped.memories_merged).toBeLessThan(Number(stopped.metrics.detect?.clustered_memories));

    const resumed = await runConsolidation(db, jobId);
    expect(resumed.phases_completed).toEqual(["detect", "merge", "summarize", "archive", "promote"]);
    expect(await expectWholeClusters(db, projectId)).toBe(clusters);
    const done = await jobRow(db, jobId);
    expect(done.memories_merged).toBe(Number(stopped.metrics.detect?.clustered_memories));
    // memories_out (history's memories_after) counts the consolidated memories of both runs.
    const [active] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.task_memories
      WHERE project_id = ${projectId}::uuid AND NOT is_duplicate AND NOT is_archived`);
    expect(Number(done.metrics.memories_out)).toBe(active?.n);
  });

  it("reports an abort noticed inside the embedder as ConsolidationAbortedError", async () => {
    const { jobId } = await seededJob(db, 13);
    const controller = new AbortController();
    const embedder: Embedder = {
      model: "aborting",
      dimensions: 256,
      async embed(_texts, signal) {
        controller.abort(new Error("job timeout"));
        signal?.throwIfAborted();
        return [];
      },
    };
    const error = await runConsolidation(db, jobId, { signal: controller.signal, embedder }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsolidationAbortedError);
    expect((error as Error).cause).toEqual(new Error("job timeout"));
    expect((await jobRow(db, jobId)).phases_completed).toEqual([]);
  });

  it("resumes after a crash mid-summarize without redoing finished phases or duplicating syntheses", async () => {
    const { projectId, jobId } = await seededJob(db, 9);
    let calls = 0;
    const crash = await runConsolidation(db, jobId, {
      batchSize: 2,
      onProgress: (p) => {
        if (p.phase === "summarize" && ++calls === 2) throw new Error("worker process died");
      },
    }).catch((e: unknown) => e);
    expect((crash as Error).message).toBe("worker process died");
    const crashed = await jobRow(db, jobId);
    expect(crashed.phases_completed).toEqual(["detect", "merge"]);
    // Batches of 2; on PostgreSQL the next batch's insert may already be in flight when the crash hits.
    expect([4, 6]).toContain(crashed.summaries_created);
    const mergedBefore = crashed.memories_merged;
    const bigClusters = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.task_memories
      WHERE project_id = ${projectId}::uuid AND memory_type = 'consolidated' AND cardinality(consolidated_from) >= 3`);

    const resumed = await runConsolidation(db, jobId);
    expect(resumed.phases_completed).toEqual(["detect", "merge", "summarize", "archive", "promote"]);
    expect(resumed.memories_merged).toBe(mergedBefore);
    expect(resumed.summaries_created).toBe(bigClusters[0]?.n);
    const syntheses = await db.rows<{ n: number; distinct_sets: number }>(sql`SELECT count(*)::int AS n,
      count(DISTINCT synthesized_from)::int AS distinct_sets FROM memcons.task_memories
      WHERE project_id = ${projectId}::uuid AND memory_type = 'synthesis'`);
    expect(syntheses[0]?.n).toBe(bigClusters[0]?.n);
    expect(syntheses[0]?.distinct_sets).toBe(bigClusters[0]?.n);
    const merges = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes
      WHERE consolidation_job_id = ${jobId}::uuid AND operation = 'merge' AND previous_state IS NOT NULL`);
    expect(merges[0]?.n).toBe(mergedBefore);
    await expectWholeClusters(db, projectId);
  });

  it.each([
    { storeImmediately: true, seed: 21 },
    { storeImmediately: false, seed: 22 },
  ])("with storeImmediately $storeImmediately, a resumed job embeds only what the failed run did not store", async ({ storeImmediately, seed }) => {
    const projectId = await createProject(db);
    await insertMemories(db, projectId, generateMemories({ count: 700, seed, now: new Date() }));
    const jobId = await createJob(db, projectId);
    const hashing = createHashingEmbedder();
    let calls = 0;
    // Candidates are embedded a page (of one memory type, at most 500) at a time: the provider fails on the second request.
    const flaky: Embedder = {
      model: hashing.model,
      dimensions: hashing.dimensions,
      storeImmediately,
      embed(texts, signal) {
        if (++calls === 2) throw new Error("provider unavailable");
        return hashing.embed(texts, signal);
      },
    };
    const error = await runConsolidation(db, jobId, { embedder: flaky }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("provider unavailable");
    const [stored] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.task_memories
      WHERE project_id = ${projectId}::uuid AND context_embedding IS NOT NULL`);
    // Stored at once, the first request's embeddings survive the failure; otherwise they wait for the writes that failed.
    const survived = Number(stored?.n);
    if (storeImmediately) expect(survived).toBeGreaterThan(0);
    else expect(survived).toBe(0);
    expect(survived).toBeLessThan(700);
    const [versions] = await db.rows<{ max: number }>(sql`SELECT max(version)::int AS max FROM memcons.task_memories
      WHERE project_id = ${projectId}::uuid`);
    expect(versions?.max).toBe(1);

    await runConsolidation(db, jobId, { embedder: flaky });
    expect((await jobRow(db, jobId)).metrics.detect?.embedded).toBe(700 - survived);
  });
});
