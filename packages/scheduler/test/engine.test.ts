import { type Database, taskMemories } from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobEvent, createJobRunner, triggerConsolidation } from "../src/index.js";
import { createProject, getJob, waitFor } from "./helpers.js";

describe.each(testTargets(process.env.DATABASE_URL))("default engine on $driver", (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db.close();
  });

  it("runs the consolidation engine on a claimed job and completes it", async () => {
    const projectId = await createProject(db);
    const summary = "Fixed the flaky login test by waiting for the session cookie before asserting.";
    await db.orm.insert(taskMemories).values(
      [0, 1, 2].map((i) => ({
        projectId,
        memoryType: "error_fix" as const,
        executionSummary: summary,
        tags: [`tag-${i}`],
        filePaths: [`src/login-${i}.ts`],
      })),
    );
    const runner = createJobRunner({ db, pollIntervalMs: 50 });
    const events: JobEvent[] = [];
    runner.events.on("event", (e: JobEvent) => events.push(e));
    await runner.start();
    try {
      const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
      const done = await waitFor(async () => {
        const current = await getJob(db, job.id);
        return ["completed", "failed"].includes(current.status) && current;
      }, 20_000);
      expect(done.errorMessage).toBeNull();
      expect(done.status).toBe("completed");
      expect(done.progress).toBe(1);
      expect(done.phasesCompleted).toContain("detect");
      expect(done.memoriesMerged).toBeGreaterThan(0);
      const merged = await db.orm.select().from(taskMemories).where(eq(taskMemories.memoryType, "consolidated"));
      expect(merged.some((m) => m.projectId === projectId)).toBe(true);
      await waitFor(() => events.some((e) => e.job_id === job.id && e.type === "completed")); // follows the commit
      const types = events.filter((e) => e.job_id === job.id).map((e) => e.type);
      expect(types[0]).toBe("started");
      expect(types.at(-1)).toBe("completed");
      expect(types).toContain("progress");
    } finally {
      await runner.stop();
    }
  });
});
