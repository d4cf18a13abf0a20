import { type Database, ProjectNotFoundError, consolidationJobs } from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cancelJob,
  checkThresholdTrigger,
  createCronScheduler,
  createJobRunner,
  findProjectsDue,
  runScheduledConsolidation,
  triggerConsolidation,
} from "../src/index.js";
import { createProject, getJob, insertMemories, waitFor } from "./helpers.js";

describe.each(testTargets(process.env.DATABASE_URL))("threshold trigger and sweep on $driver", (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db.close();
  });

  it("does nothing below the threshold and queues a threshold job at it", async () => {
    const projectId = await createProject(db, { threshold: 10 });
    await insertMemories(db, projectId, 9);
    await insertMemories(db, projectId, 5, { archived: true });
    await insertMemories(db, projectId, 5, { duplicate: true });
    await insertMemories(db, projectId, 5, { consolidated: true });
    expect(await checkThresholdTrigger(db, projectId)).toEqual({ triggered: false, count: 9, threshold: 10 });
    await insertMemories(db, projectId, 1);
    const result = await checkThresholdTrigger(db, projectId);
    expect(result).toMatchObject({ triggered: true, count: 10, threshold: 10, created: true });
    expect(result.job).toMatchObject({
      triggerType: "threshold",
      scope: { unconsolidated_only: true },
      status: "pending",
      triggeredBy: "system",
    });
    const again = await checkThresholdTrigger(db, projectId);
    expect(again).toMatchObject({ triggered: true, created: false });
    expect(again.job).toEqual(result.job);
  });

  it("counts at most the threshold and uses the default when the project sets none", async () => {
    const projectId = await createProject(db);
    await insertMemories(db, projectId, 30);
    expect(await checkThresholdTrigger(db, projectId)).toEqual({ triggered: false, count: 30, threshold: 100 });
    const result = await checkThresholdTrigger(db, projectId, { defaultThreshold: 20 });
    expect(result).toMatchObject({ triggered: true, count: 20, threshold: 20 });
  });

  it("never triggers for disabled or inactive projects and rejects unknown ones", async () => {
    const disabled = await createProject(db, { threshold: 10, enabled: false });
    const inactive = await createProject(db, { threshold: 10, active: false });
    await insertMemories(db, disabled, 20);
    await insertMemories(db, inactive, 20);
    expect((await checkThresholdTrigger(db, disabled)).triggered).toBe(false);
    expect((await checkThresholdTrigger(db, inactive)).triggered).toBe(false);
    const jobs = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, disabled));
    expect(jobs).toHaveLength(0);
    await expect(checkThresholdTrigger(db, "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(
      ProjectNotFoundError,
    );
  });

  it("the sweep queues one scheduled job per due project and keeps active jobs", async () => {
    await db.rows(sql`update memcons.projects set is_active = false`);
    const due = await createProject(db, { threshold: 10 });
    await insertMemories(db, due, 11);
    const exactly = await createProject(db, { threshold: 10 });
    await insertMemories(db, exactly, 10);
    const busy = await createProject(db, { threshold: 10 });
    await insertMemories(db, busy, 50);
    const { job: active } = await triggerConsolidation(db, { projectId: busy, triggerType: "manual" });
    const disabled = await createProject(db, { threshold: 10, enabled: false });
    await insertMemories(db, disabled, 50);
    const archivedOnly = await createProject(db, { threshold: 10 });
    await insertMemories(db, archivedOnly, 50, { archived: true });
    const byDefault = await createProject(db);
    await insertMemories(db, byDefault, 25);

    expect((await findProjectsDue(db)).sort()).toEqual([busy, due].sort());
    const result = await runScheduledConsolidation(db, { concurrency: 2, defaultThreshold: 20 });
    expect(result.projects_queued).toBe(3);
    expect(result.jobs_created).toBe(2);
    const byProject = new Map(result.results.map((r) => [r.project_id, r]));
    expect(new Set(byProject.keys())).toEqual(new Set([due, busy, byDefault]));
    expect(byProject.get(busy)).toEqual({ project_id: busy, job_id: active.id, created: false });
    const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, byProject.get(due)!.job_id));
    expect(job).toMatchObject({ triggerType: "scheduled", status: "pending", scope: { unconsolidated_only: false } });
    const second = await runScheduledConsolidation(db, { defaultThreshold: 20 });
    expect(second.jobs_created).toBe(0);
    for (const r of second.results) await cancelJob(db, r.job_id);
  });

  it("threshold checks and manual triggers of one project share its one active consolidation job", async () => {
    const projectId = await createProject(db, { threshold: 10 });
    await insertMemories(db, projectId, 10);
    const [a, b] = await Promise.all([checkThresholdTrigger(db, projectId), checkThresholdTrigger(db, projectId)]);
    expect(a.job?.id).toBe(b.job?.id);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    const manual = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    expect(manual).toMatchObject({ created: false, job: { id: a.job!.id, kind: "consolidation" } });
    expect((await cancelJob(db, a.job!.id)).status).toBe("cancelled");
  });

  it("a runner runs triggered and swept jobs through the consolidation handler and stops cleanly", async () => {
    const ran: string[] = [];
    const runner = createJobRunner({
      db,
      handlers: {
        consolidation: async (job) => {
          ran.push(job.id);
        },
      },
      pollIntervalMs: 50,
    });
    // No catch-up: a missed 03:00 slot would sweep in the background and race the sweep this test runs.
    const cron = createCronScheduler({ db, schedule: "0 3 * * *", timezone: "Europe/Paris", catchUpWindowMs: 0, defaultThreshold: 10 });
    await runner.start();
    await cron.start();
    try {
      expect(cron.nextRun()).toBeInstanceOf(Date);
      const projectId = await createProject(db);
      await insertMemories(db, projectId, 12);
      const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
      await waitFor(async () => (await getJob(db, job.id)).status === "completed");
      expect(ran).toContain(job.id); // jobs left pending by earlier tests of this file run too
      const sweep = await runScheduledConsolidation(db, { defaultThreshold: 10 });
      const mine = sweep.results.find((r) => r.project_id === projectId);
      expect(mine?.created).toBe(true);
      await waitFor(async () => (await getJob(db, mine!.job_id)).status === "completed");
    } finally {
      await cron.stop();
      await runner.stop();
    }
    expect(runner.runningJobIds()).toEqual([]);
  });
});
