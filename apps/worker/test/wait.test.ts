import { setTimeout as sleep } from "node:timers/promises";
import { consolidationJobs, projects } from "@memcons/models";
import { createTestDatabase, preferredTarget, type TestDatabase } from "@memcons/models/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForJob } from "../src/cli/commands/trigger.js";
import { formatTable, progressBar } from "../src/cli/format.js";

describe("progress output", () => {
  it("draws bars and tables", () => {
    expect(progressBar(0, 10)).toBe("[----------]   0%");
    expect(progressBar(0.45, 10)).toBe("[#####-----]  45%");
    expect(progressBar(2, 10)).toBe("[##########] 100%");
    expect(progressBar(Number.NaN, 4)).toBe("[----]   0%");
    expect(formatTable(["A", "BB"], [["xxx", "y"]])).toBe("A    BB\nxxx  y\n");
  });
});

describe(`waitForJob (${preferredTarget(process.env.DATABASE_URL).driver})`, () => {
  let db: TestDatabase;
  let projectId: string;
  beforeAll(async () => {
    db = await createTestDatabase(preferredTarget(process.env.DATABASE_URL));
    const [project] = await db.orm.insert(projects).values({ name: "wait" }).returning();
    projectId = project!.id;
  });
  afterAll(async () => {
    await db.close();
  });

  it("follows a job's progress until it fails and reports the error", async () => {
    const [job] = await db.orm.insert(consolidationJobs).values({ projectId, triggerType: "manual" }).returning();
    const lines: string[] = [];
    const out = { write: (text: string) => lines.push(text) };
    const waiting = waitForJob(db, job!.id, out, new AbortController().signal, 20);
    await sleep(100);
    await db.orm
      .update(consolidationJobs)
      .set({ status: "running", progress: 0.5, phasesCompleted: ["detect", "merge"] })
      .where(eq(consolidationJobs.id, job!.id));
    await sleep(100);
    await db.orm
      .update(consolidationJobs)
      .set({ status: "failed", errorMessage: "embedder unreachable", completedAt: new Date() })
      .where(eq(consolidationJobs.id, job!.id));
    const final = await waiting;
    expect(final?.status).toBe("failed");
    expect(lines.join("")).toContain(" 50% running (done: detect, merge)");
    expect(lines.at(-1)).toBe("failed: embedder unreachable\n");
  });

  it("returns null when interrupted or when the job does not exist", async () => {
    const controller = new AbortController();
    const [job] = await db.orm.insert(consolidationJobs).values({ projectId, triggerType: "manual", status: "cancelled" }).returning();
    expect((await waitForJob(db, job!.id, { write: () => {} }, controller.signal, 20))?.status).toBe("cancelled");
    controller.abort();
    expect(await waitForJob(db, job!.id, { write: () => {} }, controller.signal, 20)).toBeNull();
    expect(await waitForJob(db, "00000000-0000-4000-8000-000000000000", { write: () => {} }, new AbortController().signal)).toBeNull();
  });
});
