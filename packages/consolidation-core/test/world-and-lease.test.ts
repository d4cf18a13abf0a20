import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaseNotHeldError, runConsolidation } from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { FIXTURE, seedFixture, snapshot } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

describe.each(testTargets(process.env.DATABASE_URL))("a job's world and lease on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db.close();
  });

  it("touches only memories created up to the job's first start", async () => {
    const projectId = await createProject(db);
    const before = await seedFixture(db, projectId, FIXTURE.filter((m) => m.key.startsWith("b")));
    const jobId = await createJob(db, projectId);
    await db.rows(sql`UPDATE memcons.consolidation_jobs SET started_at = now() - interval '1 minute' WHERE id = ${jobId}::uuid`);
    await db.rows(sql`UPDATE memcons.task_memories SET created_at = now() - interval '2 minutes' WHERE project_id = ${projectId}::uuid`);
    // Ingested after the job started: a paraphrase cluster and a stale memory the job would otherwise take.
    const late = await seedFixture(db, projectId, FIXTURE.filter((m) => m.key.startsWith("a") || m.key === "stale"));
    const lateSnapshot = await snapshot(db, Object.values(late));
    const result = await runConsolidation(db, jobId);
    expect(result.memories_merged).toBeGreaterThan(0);
    expect(await snapshot(db, Object.values(late))).toEqual(lateSnapshot);
    const touched = await db.rows<{ memory_id: string }>(
      sql`SELECT memory_id FROM memcons.consolidation_changes WHERE consolidation_job_id = ${jobId}::uuid AND previous_state IS NOT NULL
            AND memory_id IS NOT NULL`,
    );
    expect(touched.map((t) => t.memory_id).every((id) => Object.values(before).includes(id))).toBe(true);
  });

  it("stops without writing when its holder no longer holds the lease", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    const jobId = await createJob(db, projectId);
    await db.rows(sql`UPDATE memcons.consolidation_jobs SET status = 'running', locked_by = 'successor',
                        locked_until = now() + interval '1 minute', started_at = now() WHERE id = ${jobId}::uuid`);
    const before = await snapshot(db, Object.values(ids));
    const error = await runConsolidation(db, jobId, { holder: "frozen" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseNotHeldError);
    expect(await snapshot(db, Object.values(ids))).toEqual(before);
    const [audit] = await db.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes WHERE consolidation_job_id = ${jobId}::uuid`,
    );
    expect(audit?.n).toBe(0);
    const [job] = await db.rows<{ phases: string[] }>(
      sql`SELECT phases_completed AS phases FROM memcons.consolidation_jobs WHERE id = ${jobId}::uuid`,
    );
    expect(job?.phases).toEqual([]);
  });
});
