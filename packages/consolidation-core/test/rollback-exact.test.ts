import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuditIncompleteError,
  RollbackConflictError,
  unarchiveMemories,
  createHashingEmbedder,
  memoryText,
  purgeAuditRecords,
  rollbackJob,
  runConsolidation,
} from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { finishJob, memory, seedFixture } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;
const DAY = 86_400_000;

/** A project seeded with the fixture, embeddings already present, so a job changes no embedding. */
async function seeded(db: Db): Promise<string> {
  const projectId = await createProject(db, { options: { promote_confidence_threshold: 0.6 } });
  const ids = await seedFixture(db, projectId);
  const embedder = createHashingEmbedder();
  for (const id of Object.values(ids)) {
    const m = await memory(db, id);
    const [v] = await embedder.embed([
      memoryText({
        executionSummary: m.execution_summary as string,
        goal: m.goal as string | null,
        result: m.result as string | null,
        feedback: m.feedback as string | null,
      }),
    ]);
    const literal = `{${Array.from(v as Float32Array, (x) => Math.round(x * 1e6) / 1e6).join(",")}}`;
    await db.rows(
      sql`UPDATE memcons.task_memories SET context_embedding = ${literal}::real[], embedding_model = ${embedder.model} WHERE id = ${id}::uuid`,
    );
  }
  return projectId;
}

/** Every column of every memory and playbook entry of a project (but search_xid, the search cache's watermark, which every write bumps). */
async function projectSnapshot(db: Db, projectId: string): Promise<string[]> {
  const memories = await db.rows<{ row: string }>(
    sql`SELECT (to_jsonb(t) - 'search_xid')::text AS row FROM memcons.task_memories t WHERE project_id = ${projectId}::uuid ORDER BY id`,
  );
  const entries = await db.rows<{ row: string }>(
    sql`SELECT to_jsonb(p)::text AS row FROM memcons.playbook_entries p WHERE project_id = ${projectId}::uuid ORDER BY id`,
  );
  return [...memories, ...entries].map((r) => r.row);
}

async function finishedJob(db: Db, projectId: string): Promise<string> {
  const jobId = await createJob(db, projectId);
  const run = await runConsolidation(db, jobId);
  expect(run.memories_merged).toBeGreaterThan(0);
  await finishJob(db, jobId);
  return jobId;
}

describe.each(testTargets(process.env.DATABASE_URL))("exact rollback on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("restores every column of every memory and playbook entry, is_consolidated of examined memories included", async () => {
    const projectId = await seeded(db);
    const before = await projectSnapshot(db, projectId);
    const jobId = await finishedJob(db, projectId);
    const [examined] = await db.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM memcons.task_memories WHERE project_id = ${projectId}::uuid AND is_consolidated`,
    );
    expect(examined?.n).toBeGreaterThan(0);
    const result = await rollbackJob(db, jobId);
    expect(result.skipped).toEqual([]);
    expect(await projectSnapshot(db, projectId)).toEqual(before);
  });

  it("answers a conflict naming each changed memory and column; force rolls back the rest and reports it", async () => {
    const projectId = await seeded(db);
    const jobId = await finishedJob(db, projectId);
    const [archived] = await db.rows<{ id: string }>(
      sql`SELECT memory_id AS id FROM memcons.consolidation_changes
          WHERE consolidation_job_id = ${jobId}::uuid AND operation = 'archive' LIMIT 1`,
    );
    expect(archived).toBeDefined();
    await unarchiveMemories(db, [archived!.id], { reason: "still useful" });
    const error = (await rollbackJob(db, jobId).catch((e: unknown) => e)) as RollbackConflictError;
    expect(error).toBeInstanceOf(RollbackConflictError);
    expect(error.conflicts).toEqual([{ memory_id: archived!.id, changed: expect.arrayContaining(["is_archived"]) }]);
    const kept = await memory(db, archived!.id);
    const forced = await rollbackJob(db, jobId, { force: true });
    expect(forced.skipped.map((s) => s.memory_id)).toEqual([archived!.id]);
    expect(forced.memories_deleted).toBeGreaterThan(0);
    expect(await memory(db, archived!.id)).toEqual(kept);
    const [left] = await db.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM memcons.task_memories WHERE project_id = ${projectId}::uuid
            AND id <> ${archived!.id}::uuid AND (is_duplicate OR is_consolidated)`,
    );
    expect(left?.n).toBe(0);
  });

  it("refuses with audit_incomplete when audit rows of the job are missing, changing nothing", async () => {
    const projectId = await seeded(db);
    const jobId = await finishedJob(db, projectId);
    await db.rows(
      sql`DELETE FROM memcons.consolidation_changes WHERE id = (SELECT id FROM memcons.consolidation_changes
            WHERE consolidation_job_id = ${jobId}::uuid AND operation = 'merge' LIMIT 1)`,
    );
    const after = await projectSnapshot(db, projectId);
    const error = await rollbackJob(db, jobId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditIncompleteError);
    expect((error as AuditIncompleteError).code).toBe("audit_incomplete");
    expect(await projectSnapshot(db, projectId)).toEqual(after);
  });

  it("purge keeps old audit rows of a job still inside its rollback window", async () => {
    const projectId = await seeded(db);
    const recent = await finishedJob(db, projectId);
    await db.rows(sql`UPDATE memcons.consolidation_changes SET changed_at = now() - interval '100 days'
                      WHERE consolidation_job_id = ${recent}::uuid`);
    await purgeAuditRecords(db);
    const [kept] = await db.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes WHERE consolidation_job_id = ${recent}::uuid`,
    );
    expect(kept?.n).toBeGreaterThan(0);
    await db.rows(sql`UPDATE memcons.consolidation_jobs SET completed_at = ${new Date(Date.now() - 10 * DAY).toISOString()}::timestamptz
                      WHERE id = ${recent}::uuid`);
    await purgeAuditRecords(db);
    const [gone] = await db.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes WHERE consolidation_job_id = ${recent}::uuid`,
    );
    expect(gone?.n).toBe(0);
  });
});
