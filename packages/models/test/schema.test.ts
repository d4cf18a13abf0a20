import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  consolidationChanges,
  consolidationJobs,
  isJobKind,
  playbookEntries,
  projects,
  scheduleRuns,
  taskMemories,
} from "../src/index.js";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing/index.js";

/** Resolves to the database error of a failing statement (drizzle wraps it in `cause`). */
async function dbError(promise: Promise<unknown>): Promise<{ code?: string; constraint_name?: string; constraint?: string }> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    return cause as { code?: string };
  }
  throw new Error("expected the statement to fail");
}

describe.each(testTargets(process.env.DATABASE_URL))("schema on $driver", (target) => {
  let db: TestDatabase;
  let projectId: string;

  beforeAll(async () => {
    db = await createTestDatabase(target);
    const [project] = await db.orm.insert(projects).values({ name: "schema" }).returning();
    projectId = project!.id;
  });
  afterAll(() => db.close());

  it("fills the documented defaults", async () => {
    const [project] = await db.orm.select().from(projects).where(eq(projects.id, projectId));
    expect(project).toMatchObject({ consolidationEnabled: true, consolidationThreshold: null, isActive: true });
    expect(project!.consolidationOptions).toEqual({});
    const [memory] = await db.orm
      .insert(taskMemories)
      .values({ projectId, memoryType: "learning", executionSummary: "Ran the tests." })
      .returning();
    expect(memory).toMatchObject({
      tags: [],
      filePaths: [],
      consolidatedFrom: [],
      synthesizedFrom: [],
      reusedCount: 0,
      version: 1,
      isArchived: false,
      isDuplicate: false,
      isConsolidated: false,
      needsReview: false,
    });
    expect(memory!.learnedAt).toBeInstanceOf(Date);
  });

  it("round-trips arrays and embeddings", async () => {
    const [memory] = await db.orm
      .insert(taskMemories)
      .values({
        projectId,
        memoryType: "error_fix",
        executionSummary: "Fixed the flaky login test.",
        tags: ["auth", "flaky"],
        filePaths: ["src/login.ts"],
        contextEmbedding: [0.5, -0.25, 0.125],
      })
      .returning();
    expect(memory!.tags).toEqual(["auth", "flaky"]);
    expect(memory!.contextEmbedding).toEqual([0.5, -0.25, 0.125]);
  });

  it("rejects an unknown job status, memory type and trigger type", async () => {
    const status = await dbError(
      db.rows(sql`insert into memcons.consolidation_jobs (project_id, trigger_type, status) values (${projectId}, 'manual', 'exploded')`),
    );
    expect(status.code).toBe("23514");
    const type = await dbError(
      db.rows(sql`insert into memcons.task_memories (project_id, memory_type, execution_summary) values (${projectId}, 'gossip', 'x')`),
    );
    expect(type.code).toBe("23514");
    const trigger = await dbError(
      db.rows(sql`insert into memcons.consolidation_jobs (project_id, trigger_type) values (${projectId}, 'whim')`),
    );
    expect(trigger.code).toBe("23514");
  });

  it("holds job kinds to the rule isJobKind checks, in the database too", async () => {
    const insertKind = (kind: string) =>
      db.rows(sql`insert into memcons.consolidation_jobs (project_id, trigger_type, kind, status)
                  values (${projectId}, 'manual', ${kind}, 'completed') returning kind`);
    const valid = ["consolidation", "re-embed_2", "x", `a${"b".repeat(62)}`];
    for (const kind of valid) {
      expect(isJobKind(kind)).toBe(true);
      expect(await insertKind(kind)).toEqual([{ kind }]);
    }
    const invalid = ["", "Consolidation", "9lives", "_x", "-x", "re embed", "re.embed", "émigré", `a${"b".repeat(63)}`];
    for (const kind of invalid) {
      expect(isJobKind(kind)).toBe(false);
      expect((await dbError(insertKind(kind))).code).toBe("23514");
    }
  });

  it("rejects negative counters, out-of-range progress and thresholds", async () => {
    expect(
      (await dbError(db.orm.insert(consolidationJobs).values({ projectId, triggerType: "manual", memoriesMerged: -1 })))
        .code,
    ).toBe("23514");
    expect(
      (await dbError(db.orm.insert(consolidationJobs).values({ projectId, triggerType: "manual", progress: 1.5 }))).code,
    ).toBe("23514");
    expect(
      (await dbError(db.orm.insert(projects).values({ name: "bad", consolidationThreshold: 5 }))).code,
    ).toBe("23514");
    expect(
      (
        await dbError(
          db.orm.insert(taskMemories).values({ projectId, memoryType: "learning", executionSummary: "x", reusedCount: -3 }),
        )
      ).code,
    ).toBe("23514");
  });

  it("allows one pending-or-running job per project, any number of finished ones", async () => {
    const [other] = await db.orm.insert(projects).values({ name: "queue" }).returning();
    await db.orm.insert(consolidationJobs).values({ projectId: other!.id, triggerType: "manual" });
    const second = await dbError(
      db.orm.insert(consolidationJobs).values({ projectId: other!.id, triggerType: "threshold" }),
    );
    expect(second.code).toBe("23505");
    await db.orm
      .update(consolidationJobs)
      .set({ status: "completed" })
      .where(eq(consolidationJobs.projectId, other!.id));
    await db.orm.insert(consolidationJobs).values({ projectId: other!.id, triggerType: "scheduled", status: "running" });
    await db.orm.insert(consolidationJobs).values({ projectId: other!.id, triggerType: "manual", status: "failed" });
    const rows = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, other!.id));
    expect(rows.map((r) => r.status).sort()).toEqual(["completed", "failed", "running"]);
  });

  it("cascades project deletion but keeps audit rows when memories are deleted", async () => {
    const [project] = await db.orm.insert(projects).values({ name: "doomed" }).returning();
    const [memory] = await db.orm
      .insert(taskMemories)
      .values({ projectId: project!.id, memoryType: "decision", executionSummary: "Chose drizzle." })
      .returning();
    const [job] = await db.orm.insert(consolidationJobs).values({ projectId: project!.id, triggerType: "manual" }).returning();
    await db.orm.insert(consolidationChanges).values({
      consolidationJobId: job!.id,
      operation: "merge",
      memoryId: memory!.id,
      previousState: { a: 1 },
    });
    await db.orm.delete(taskMemories).where(eq(taskMemories.id, memory!.id));
    const kept = await db.orm.select().from(consolidationChanges).where(eq(consolidationChanges.memoryId, memory!.id));
    expect(kept).toHaveLength(1);

    await db.orm.insert(playbookEntries).values({ projectId: project!.id, content: "Always pin versions.", category: "practice", sourceJobId: job!.id });
    await db.orm.delete(projects).where(eq(projects.id, project!.id));
    expect(await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, project!.id))).toHaveLength(0);
    expect(await db.orm.select().from(playbookEntries).where(eq(playbookEntries.projectId, project!.id))).toHaveLength(0);
    expect(await db.orm.select().from(consolidationChanges).where(eq(consolidationChanges.memoryId, memory!.id))).toHaveLength(0);
  });

  it("sets duplicate_of to null when the canonical memory is deleted", async () => {
    const [canonical] = await db.orm.insert(taskMemories).values({ projectId, memoryType: "learning", executionSummary: "A." }).returning();
    const [dup] = await db.orm
      .insert(taskMemories)
      .values({ projectId, memoryType: "learning", executionSummary: "A!", isDuplicate: true, duplicateOf: canonical!.id })
      .returning();
    await db.orm.delete(taskMemories).where(eq(taskMemories.id, canonical!.id));
    const [after] = await db.orm.select().from(taskMemories).where(eq(taskMemories.id, dup!.id));
    expect(after!.duplicateOf).toBeNull();
  });

  it("records a cron slot once", async () => {
    const slot = new Date("2026-01-01T02:00:00Z");
    await db.orm.insert(scheduleRuns).values({ scheduleName: "nightly", slotTime: slot, firedBy: "w1" });
    const again = await db.orm
      .insert(scheduleRuns)
      .values({ scheduleName: "nightly", slotTime: slot, firedBy: "w2" })
      .onConflictDoNothing()
      .returning();
    expect(again).toHaveLength(0);
    const rows = await db.orm.select().from(scheduleRuns);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.firedBy).toBe("w1");
  });
});
