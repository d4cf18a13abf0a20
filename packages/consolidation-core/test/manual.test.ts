import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  archiveMemories,
  purgeAuditRecords,
  RollbackConflictError,
  rollbackJob,
  runConsolidation,
  unarchiveMemories,
} from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { finishJob, memory, seedFixture } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

interface AuditRow {
  consolidation_job_id: string | null;
  operation: string;
  memory_id: string;
  previous_state: Record<string, unknown>;
  new_state: Record<string, unknown>;
  reason: string | null;
  changed_by: string;
}

async function manualAudit(db: Db, memoryId: string): Promise<AuditRow[]> {
  const rows = await db.rows<{ row: string }>(
    sql`SELECT to_jsonb(c)::text AS row FROM memcons.consolidation_changes c
        WHERE c.memory_id = ${memoryId}::uuid AND c.consolidation_job_id IS NULL ORDER BY c.changed_at, c.operation`,
  );
  return rows.map((r) => JSON.parse(r.row) as AuditRow);
}

describe.each(testTargets(process.env.DATABASE_URL))("manual archive and unarchive on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("writes one audit row per memory archived by hand, with its previous state, actor and reason", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    const target = ids.s1 as string;
    const before = await memory(db, target);

    const now = new Date("2026-06-01T12:00:00.000Z");
    expect(await archiveMemories(db, [target], { actor: "admin:abc", reason: "obsolete", now })).toEqual({ archived: 1 });
    expect(await archiveMemories(db, [target], { actor: "admin:abc" })).toEqual({ archived: 0 });

    const [row, ...rest] = await manualAudit(db, target);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      consolidation_job_id: null,
      operation: "archive",
      reason: "obsolete",
      changed_by: "admin:abc",
      new_state: { is_archived: true, archive_reason: "manual", version: 2 },
    });
    expect(row?.previous_state).toMatchObject({ id: target, is_archived: false, version: before.version });
    expect(row?.previous_state.execution_summary).toBe(before.execution_summary);
    expect(Date.parse(String(row?.new_state.archived_at))).toBe(now.getTime());
  });

  it("writes an unarchive row, and none for memories already in the requested state", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    const [a, b] = [ids.s1 as string, ids.s2 as string];
    await archiveMemories(db, [a]);
    expect(await unarchiveMemories(db, [a, b], { actor: "admin:def", reason: "still useful" })).toEqual({ unarchived: 1 });

    const audit = await manualAudit(db, a);
    expect(audit.map((r) => r.operation)).toEqual(["archive", "unarchive"]);
    expect(audit[0]).toMatchObject({ changed_by: "admin", reason: null });
    expect(audit[1]).toMatchObject({
      changed_by: "admin:def",
      reason: "still useful",
      previous_state: { is_archived: true, archive_reason: "manual", version: 2 },
      new_state: { is_archived: false, archived_at: null, archive_reason: null, version: 3 },
    });
    expect(await manualAudit(db, b)).toEqual([]);
    expect(await memory(db, a)).toMatchObject({ is_archived: false, version: 3 });
  });

  it("makes a job's rollback refuse once a memory it touched was archived by hand, and purges old manual rows", async () => {
    const projectId = await createProject(db);
    await seedFixture(db, projectId);
    const jobId = await createJob(db, projectId);
    await runConsolidation(db, jobId);
    await finishJob(db, jobId);
    const [touched] = await db.rows<{ id: string }>(
      sql`SELECT memory_id AS id FROM memcons.consolidation_changes
          WHERE consolidation_job_id = ${jobId}::uuid AND operation = 'merge' AND previous_state IS NOT NULL LIMIT 1`,
    );
    expect(touched).toBeDefined();
    await archiveMemories(db, [touched!.id], { reason: "by hand after the job" });
    await expect(rollbackJob(db, jobId)).rejects.toBeInstanceOf(RollbackConflictError);

    await db.rows(
      sql`UPDATE memcons.consolidation_changes SET changed_at = now() - interval '100 days'
          WHERE memory_id = ${touched!.id}::uuid AND consolidation_job_id IS NULL`,
    );
    const purged = await purgeAuditRecords(db);
    expect(purged.deleted).toBeGreaterThanOrEqual(1);
    expect(await manualAudit(db, touched!.id)).toEqual([]);
  });
});

describe.runIf(process.env.DATABASE_URL)("manual archive under concurrency (real PostgreSQL)", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase({ driver: "postgres", adminUrl: process.env.DATABASE_URL });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("audits each memory once when several admins archive it at the same time", async () => {
    const projectId = await createProject(db);
    const ids = Object.values(await seedFixture(db, projectId));
    const results = await Promise.all(Array.from({ length: 6 }, () => archiveMemories(db, ids)));
    expect(results.reduce((sum, r) => sum + r.archived, 0)).toBe(ids.length);
    const [row] = await db.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes
          WHERE consolidation_job_id IS NULL AND operation = 'archive' AND memory_id = ANY(${`{${ids.join(",")}}`}::uuid[])`,
    );
    expect(row?.n).toBe(ids.length);
  });
});
