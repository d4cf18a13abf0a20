import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AlreadyRolledBackError,
  JobNotFinishedError,
  JobNotFoundError,
  RollbackConflictError,
  RollbackWindowExpiredError,
  createHashingEmbedder,
  memoryText,
  rollbackJob,
  runConsolidation,
} from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { finishJob, memory, seedFixture, snapshot } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;
const DAY = 86_400_000;

/** Seeds the fixture with embeddings already present, so snapshots cover every column. */
async function seedWithEmbeddings(db: Db): Promise<{ projectId: string; ids: Record<string, string> }> {
  const projectId = await createProject(db, { options: { promote_confidence_threshold: 0.6 } });
  const ids = await seedFixture(db, projectId);
  const embedder = createHashingEmbedder();
  for (const id of Object.values(ids)) {
    const m = await memory(db, id);
    const [v] = await embedder.embed([memoryText({ executionSummary: m.execution_summary as string, goal: m.goal as string | null, result: m.result as string | null, feedback: m.feedback as string | null })]);
    const literal = `{${Array.from(v as Float32Array, (x) => Math.round(x * 1e6) / 1e6).join(",")}}`;
    await db.rows(
      sql`UPDATE task_memories SET context_embedding = ${literal}::real[], embedding_model = ${embedder.model} WHERE id = ${id}::uuid`,
    );
  }
  return { projectId, ids };
}

describe.each(testTargets(process.env.DATABASE_URL))("rollbackJob on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("restores every touched memory byte for byte, deletes what the job created and keeps the audit trail", async () => {
    const { projectId, ids } = await seedWithEmbeddings(db);
    const before = await snapshot(db, Object.values(ids));
    const entriesBefore = await db.rows(sql`SELECT count(*)::int AS n FROM playbook_entries WHERE project_id = ${projectId}::uuid`);
    const jobId = await createJob(db, projectId);
    const run = await runConsolidation(db, jobId);
    expect(run.memories_merged).toBeGreaterThan(0);
    expect(run.memories_archived).toBeGreaterThan(0);
    expect(run.memories_promoted).toBeGreaterThan(0);
    await finishJob(db, jobId);
    const created = await db.rows<{ id: string }>(sql`SELECT memory_id AS id FROM consolidation_changes
      WHERE consolidation_job_id = ${jobId}::uuid AND previous_state IS NULL AND operation IN ('merge', 'summarize')`);
    const touched = await db.rows<{ id: string }>(sql`SELECT DISTINCT memory_id AS id FROM consolidation_changes
      WHERE consolidation_job_id = ${jobId}::uuid AND previous_state IS NOT NULL`);
    const auditBefore = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM consolidation_changes WHERE consolidation_job_id = ${jobId}::uuid`);

    const result = await rollbackJob(db, jobId, { actor: "admin", reason: "bad merge" });
    expect(result.memories_restored).toBe(touched.length);
    expect(result.memories_deleted).toBe(created.length);
    expect(result.warnings).toEqual([]);
    expect(result.rollback_id).toMatch(/^[0-9a-f-]{36}$/);

    const after = await snapshot(db, Object.values(ids));
    for (const t of touched) expect(after.get(t.id)).toBe(before.get(t.id));
    for (const [id, row] of before) {
      const now = JSON.parse(after.get(id) as string) as Record<string, unknown>;
      const was = JSON.parse(row as string) as Record<string, unknown>;
      // Untouched memories only gained the bookkeeping flag "examined by a finished job".
      expect({ ...now, is_consolidated: false }).toEqual({ ...was, is_consolidated: false });
    }
    const createdLeft = await db.rows(sql`SELECT id FROM task_memories WHERE id = ANY(${`{${created.map((c) => c.id).join(",")}}`}::uuid[])`);
    expect(createdLeft).toHaveLength(0);
    const entriesAfter = await db.rows(sql`SELECT count(*)::int AS n FROM playbook_entries WHERE project_id = ${projectId}::uuid`);
    expect(entriesAfter).toEqual(entriesBefore);
    const rollbacks = await db.rows<{ n: number; by: string }>(sql`SELECT count(*)::int AS n, min(changed_by) AS by FROM consolidation_changes
      WHERE consolidation_job_id = ${jobId}::uuid AND operation = 'rollback'`);
    expect(rollbacks[0]?.n).toBe(touched.length + created.length + run.memories_promoted);
    expect(rollbacks[0]?.by).toBe("admin");
    const auditAfter = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM consolidation_changes
      WHERE consolidation_job_id = ${jobId}::uuid AND operation <> 'rollback'`);
    expect(auditAfter[0]?.n).toBe(auditBefore[0]?.n);
    const [job] = await db.rows<{ rolled_back_at: unknown; status: string }>(sql`SELECT rolled_back_at, status FROM consolidation_jobs WHERE id = ${jobId}::uuid`);
    expect(job?.rolled_back_at).not.toBeNull();
    expect(job?.status).toBe("completed");

    await expect(rollbackJob(db, jobId)).rejects.toBeInstanceOf(AlreadyRolledBackError);
  });

  it("refuses with RollbackConflictError when a touched memory changed after the job", async () => {
    const { projectId, ids } = await seedWithEmbeddings(db);
    const jobId = await createJob(db, projectId);
    await runConsolidation(db, jobId);
    await finishJob(db, jobId);
    const edited = ids.a2 as string;
    await db.rows(sql`UPDATE task_memories SET feedback = 'edited by a human', version = version + 1, updated_at = now() WHERE id = ${edited}::uuid`);
    const before = await snapshot(db, Object.values(ids));
    const error = await rollbackJob(db, jobId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RollbackConflictError);
    expect((error as RollbackConflictError).memoryIds).toEqual([edited]);
    expect((error as RollbackConflictError).code).toBe("conflict");
    expect(await snapshot(db, Object.values(ids))).toEqual(before);
    const [job] = await db.rows<{ rolled_back_at: unknown }>(sql`SELECT rolled_back_at FROM consolidation_jobs WHERE id = ${jobId}::uuid`);
    expect(job?.rolled_back_at).toBeNull();
    const rollbacks = await db.rows(sql`SELECT 1 FROM consolidation_changes WHERE consolidation_job_id = ${jobId}::uuid AND operation = 'rollback'`);
    expect(rollbacks).toHaveLength(0);
  });

  it("refuses after the 7-day window, for unfinished jobs and for unknown jobs", async () => {
    const projectId = await createProject(db);
    await seedFixture(db, projectId);
    const jobId = await createJob(db, projectId);
    await runConsolidation(db, jobId);
    await expect(rollbackJob(db, jobId)).rejects.toBeInstanceOf(JobNotFinishedError);
    const finished = new Date();
    await finishJob(db, jobId, finished);
    const late = new Date(finished.getTime() + 7 * DAY + 60_000);
    const error = await rollbackJob(db, jobId, { now: late }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RollbackWindowExpiredError);
    expect((error as RollbackWindowExpiredError).code).toBe("rollback_window_expired");
    const inTime = await rollbackJob(db, jobId, { now: new Date(finished.getTime() + 6 * DAY) });
    expect(inTime.memories_restored).toBeGreaterThan(0);
    await expect(rollbackJob(db, "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(rollbackJob(db, "not-a-uuid")).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it("rolls back a job that changed nothing with a warning saying so", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    const before = await snapshot(db, Object.values(ids));
    const jobId = await createJob(db, projectId);
    await db.rows(sql`UPDATE consolidation_jobs SET status = 'cancelled', completed_at = now() WHERE id = ${jobId}::uuid`);
    const result = await rollbackJob(db, jobId);
    expect(result).toMatchObject({ memories_restored: 0, memories_deleted: 0, playbook_entries_deleted: 0 });
    expect(result.warnings).toEqual(["The job made no changes: there was nothing to roll back"]);
    expect(await snapshot(db, Object.values(ids))).toEqual(before);
    await expect(rollbackJob(db, jobId)).rejects.toBeInstanceOf(AlreadyRolledBackError);
  });
});
