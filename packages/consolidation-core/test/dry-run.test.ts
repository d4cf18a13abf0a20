import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyPlan,
  discardPlan,
  getPlan,
  MemoriesChangedError,
  PlanDecidedError,
  PlanNotFoundError,
  rollbackJob,
  runConsolidation,
} from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { finishJob, memory, snapshot } from "./helpers.js";
import { comparable, enqueueInto, proposalsOf, seedReviewFixture, tinyEmbedder } from "./review-helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;
const OPTIONS = { review_threshold: 0.7, promote_confidence_threshold: 0.5 };

async function runJob(db: Db, jobId: string) {
  const result = await runConsolidation(db, jobId, { embedder: tinyEmbedder });
  await finishJob(db, jobId);
  return result;
}

async function allMemories(db: Db, projectId: string) {
  const rows = await db.rows<{ id: string }>(sql`SELECT id FROM memcons.task_memories WHERE project_id = ${projectId}::uuid`);
  return snapshot(db, rows.map((r) => r.id));
}

describe.each(testTargets(process.env.DATABASE_URL))("dry runs on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("stores the plan (clusters, similarities, merged text, archive and promotion decisions) and changes no memory", async () => {
    const projectId = await createProject(db, { options: OPTIONS });
    const ids = await seedReviewFixture(db, projectId);
    const before = await allMemories(db, projectId);
    const jobId = await createJob(db, projectId, { options: { dry_run: true } });
    const result = await runJob(db, jobId);
    expect(result).toMatchObject({ memories_merged: 0, memories_archived: 0, memories_promoted: 0, clusters: 1 });
    expect(await allMemories(db, projectId)).toEqual(before);
    const [changes] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes WHERE consolidation_job_id = ${jobId}::uuid`);
    expect(changes?.n).toBe(0);
    expect(await proposalsOf(db, projectId)).toEqual([]);

    const { plan, items } = await getPlan(db, jobId);
    expect(plan).toMatchObject({ status: "ready", projectId });
    expect(plan.summary).toEqual({ clusters: 1, memories_to_merge: 2, summaries: 0, archive: 1, promote_new: 1, promote_existing: 0, review: 1 });
    expect(items.map((i) => i.kind)).toEqual(["merge", "review", "archive"]);
    const [merge, review, archive] = items;
    expect([...(merge?.memoryIds ?? [])].sort()).toEqual([ids.a1, ids.a2].sort());
    expect(merge?.memoryVersions).toEqual([1, 1]);
    expect(merge?.similarities?.[0]?.similarity).toBe(1);
    expect(merge?.detail).toMatchObject({ min_similarity: 1, promote_consolidated: true });
    expect((merge?.detail.consolidated as { execution_summary: string } | undefined)?.execution_summary).toContain("port 5432");
    expect(review?.detail).toEqual({ reason: "borderline" });
    expect(review?.similarities?.[0]?.similarity).toBe(0.8);
    expect(archive?.memoryIds).toEqual([ids.d]);
    expect((await getPlan(db, jobId, { kind: "archive" })).items.map((i) => i.position)).toEqual([archive?.position]);
    expect((await getPlan(db, jobId, { afterPosition: 0, limit: 1 })).items.map((i) => i.kind)).toEqual(["review"]);
  });

  it("applies the plan as a job that does exactly what it planned; rollback restores every memory", async () => {
    const projectId = await createProject(db, { options: OPTIONS });
    const ids = await seedReviewFixture(db, projectId);
    const before = await allMemories(db, projectId);
    const dryRun = await createJob(db, projectId, { options: { dry_run: true } });
    await runJob(db, dryRun);
    // A memory added after the plan was made is not part of it.
    await seedReviewFixture(db, projectId);

    const { plan, job } = await applyPlan(db, dryRun, enqueueInto(db), { actor: "carol" });
    expect(plan).toMatchObject({ status: "applied", decidedBy: "carol", appliedJobId: job.id });
    expect(job.scope).toEqual({ plan_job_id: dryRun });
    expect(job.options).toMatchObject({ dry_run: false });
    const run = await runJob(db, job.id);
    expect(run.memories_merged).toBe(2);
    expect(run.memories_archived).toBe(1);
    expect((await memory(db, ids.a1 as string)).is_duplicate).toBe(true);
    expect((await memory(db, ids.d as string)).is_archived).toBe(true);
    expect((await memory(db, ids.b1 as string)).is_duplicate).toBe(false);
    const [touched] = await db.rows<{ n: number }>(
      sql`SELECT count(DISTINCT memory_id)::int AS n FROM memcons.consolidation_changes
          WHERE consolidation_job_id = ${job.id}::uuid AND operation IN ('merge', 'archive') AND previous_state IS NOT NULL`,
    );
    expect(touched?.n).toBe(3);

    await rollbackJob(db, job.id);
    const after = await allMemories(db, projectId);
    for (const [id, row] of before) {
      expect(comparable(after.get(id), { is_consolidated: false })).toEqual(comparable(row, { is_consolidated: false }));
    }
    await expect(applyPlan(db, dryRun, enqueueInto(db))).rejects.toBeInstanceOf(PlanDecidedError);
  });

  it("refuses to apply, listing the memories, when they changed since the plan; a discarded plan cannot be applied", async () => {
    const projectId = await createProject(db, { options: OPTIONS });
    const ids = await seedReviewFixture(db, projectId);
    const dryRun = await createJob(db, projectId, { options: { dry_run: true } });
    await runJob(db, dryRun);
    await db.rows(sql`UPDATE memcons.task_memories SET execution_summary = 'Use port 6543.', version = version + 1 WHERE id = ${ids.a2 as string}::uuid`);
    await db.rows(sql`UPDATE memcons.task_memories SET is_archived = true, archive_reason = 'manual', version = version + 1 WHERE id = ${ids.d as string}::uuid`);
    const error = await applyPlan(db, dryRun, enqueueInto(db)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoriesChangedError);
    expect((error as MemoriesChangedError).memoryIds).toEqual([ids.a2, ids.d].sort());
    expect((await getPlan(db, dryRun)).plan.status).toBe("ready");
    const [jobs] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.consolidation_jobs WHERE project_id = ${projectId}::uuid`);
    expect(jobs?.n).toBe(1);

    const discarded = await discardPlan(db, dryRun, { actor: "dave" });
    expect(discarded).toMatchObject({ status: "discarded", decidedBy: "dave" });
    await expect(applyPlan(db, dryRun, enqueueInto(db))).rejects.toBeInstanceOf(PlanDecidedError);
    await expect(getPlan(db, "3f1c2a9e-8b7d-4c1e-9a0f-5d2e6b7c8a91")).rejects.toBeInstanceOf(PlanNotFoundError);
  });
});
