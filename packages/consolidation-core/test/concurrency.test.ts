import { createDatabase } from "@memcons/models";
import { createTestDatabase, preferredTarget, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConsolidation } from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { memory, seedFixture } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

async function mergeMetrics(db: Db, jobId: string): Promise<Record<string, number>> {
  const [row] = await db.rows<{ m: unknown }>(sql`SELECT metrics->'merge' AS m FROM memcons.consolidation_jobs WHERE id = ${jobId}::uuid`);
  return (typeof row?.m === "string" ? JSON.parse(row.m) : row?.m) as Record<string, number>;
}

async function expectEditKept(db: Db, ids: Record<string, string>, jobId: string): Promise<void> {
  const edited = await memory(db, ids.a2 as string);
  expect(edited.feedback).toBe("edited concurrently");
  expect(edited.version).toBe(2);
  expect(edited.is_duplicate).toBe(false);
  expect(edited.duplicate_of).toBeNull();
  const [login] = await db.rows<{ sources: string[] }>(sql`SELECT consolidated_from AS sources FROM memcons.task_memories
    WHERE memory_type = 'consolidated' AND ${ids.a1 as string}::uuid = ANY(consolidated_from)`);
  expect([...(login?.sources ?? [])].sort()).toEqual([ids.a1, ids.a3].sort());
  expect((await mergeMetrics(db, jobId)).members_skipped).toBe(1);
  const audit = await db.rows(sql`SELECT 1 FROM memcons.consolidation_changes WHERE memory_id = ${ids.a2 as string}::uuid`);
  expect(audit).toHaveLength(0);
}

describe.each(testTargets(process.env.DATABASE_URL))("merge version check on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("leaves a memory edited between detection and merge out of its cluster", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    const jobId = await createJob(db, projectId);
    await runConsolidation(db, jobId, {
      onProgress: async (p) => {
        if (p.phase === "detect") {
          await db.rows(sql`UPDATE memcons.task_memories SET feedback = 'edited concurrently', version = version + 1, updated_at = now()
            WHERE id = ${ids.a2 as string}::uuid`);
        }
      },
    });
    await expectEditKept(db, ids, jobId);
  });

  it("drops a cluster that no longer has enough unchanged members", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    const jobId = await createJob(db, projectId, { options: { summarize_enabled: false } });
    await runConsolidation(db, jobId, {
      onProgress: async (p) => {
        if (p.phase === "detect") {
          await db.rows(sql`UPDATE memcons.task_memories SET version = version + 1 WHERE id = ${ids.b2 as string}::uuid`);
        }
      },
    });
    const b1 = await memory(db, ids.b1 as string);
    expect(b1.is_duplicate).toBe(false);
    expect(b1.version).toBe(1);
    expect((await mergeMetrics(db, jobId)).clusters_skipped).toBe(1);
  });
});

describe.runIf(process.env.DATABASE_URL)("concurrent update during a merge (real PostgreSQL)", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(preferredTarget(process.env.DATABASE_URL));
  });
  afterAll(async () => {
    await db?.close();
  });

  it("waits for the row lock, sees the committed edit and never overwrites it", async () => {
    const projectId = await createProject(db);
    const ids = await seedFixture(db, projectId);
    const jobId = await createJob(db, projectId);
    const other = await createDatabase(db.url, { maxConnections: 2 });
    try {
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked: () => void = () => {};
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const editor = other.orm.transaction(async (tx) => {
        await tx.execute(sql`SELECT id FROM memcons.task_memories WHERE id = ${ids.a2 as string}::uuid FOR UPDATE`);
        locked();
        await released;
        await tx.execute(sql`UPDATE memcons.task_memories SET feedback = 'edited concurrently', version = version + 1, updated_at = now()
          WHERE id = ${ids.a2 as string}::uuid`);
      });
      await isLocked;
      const job = runConsolidation(db, jobId);
      // Wait until the engine's merge is blocked on the editor's row lock, then let the editor commit.
      await expect
        .poll(async () => {
          const waiting = await other.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%for update%'`);
          return waiting[0]?.n;
        }, { timeout: 20_000, interval: 50 })
        .toBe(1);
      release();
      await editor;
      const result = await job;
      expect(result.memories_merged).toBe(4);
      await expectEditKept(db, ids, jobId);
    } finally {
      await other.close();
    }
  });
});
