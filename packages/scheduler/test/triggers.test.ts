import {
  type Database,
  InvalidOptionsError,
  JobNotFoundError,
  ProjectNotFoundError,
  ValidationError,
  consolidationJobs,
} from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConsolidationDisabledError,
  type JobEvent,
  cancelJob,
  subscribeJobEvents,
  triggerConsolidation,
} from "../src/index.js";
import { createProject, getJob, waitFor } from "./helpers.js";

describe.each(testTargets(process.env.DATABASE_URL))("triggerConsolidation on $driver", (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db.close();
  });

  it("creates a pending manual job with the caller's options, scope and user", async () => {
    const projectId = await createProject(db);
    const { job, created } = await triggerConsolidation(db, {
      projectId,
      triggerType: "manual",
      options: { similarity_threshold: 0.95 },
      scope: { unconsolidated_only: true },
      triggeredBy: "user-7",
    });
    expect(created).toBe(true);
    expect(job).toMatchObject({
      projectId,
      status: "pending",
      triggerType: "manual",
      options: { similarity_threshold: 0.95 },
      scope: { unconsolidated_only: true },
      triggeredBy: "user-7",
      retryCount: 0,
      maxRetries: 3,
    });
    expect(job.runAt).toBeInstanceOf(Date);
  });

  it("enqueues inside the caller's transaction: the job exists only if it commits", async () => {
    const projectId = await createProject(db);
    const rolledBack = new Error("caller rolls back");
    const error = await db.orm
      .transaction(async (tx) => {
        const { job, created } = await triggerConsolidation(db, { projectId, triggerType: "manual" }, { transaction: tx });
        expect(created).toBe(true);
        expect(job.status).toBe("pending");
        throw rolledBack;
      })
      .catch((e: unknown) => e);
    expect(error).toBe(rolledBack);
    expect(await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, projectId))).toEqual([]);

    const events: JobEvent[] = [];
    const unsubscribe = await subscribeJobEvents(db, (event) => events.push(event));
    try {
      const committed = await db.orm.transaction(async (tx) => {
        const result = await triggerConsolidation(db, { projectId, triggerType: "manual" }, { transaction: tx });
        return result.job;
      });
      const rows = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, projectId));
      expect(rows.map((row) => row.id)).toEqual([committed.id]);
      await waitFor(async () => events.some((event) => event.job_id === committed.id && event.type === "created"));
    } finally {
      await unsubscribe();
    }
  });

  it("returns the active job instead of creating a second one", async () => {
    const projectId = await createProject(db);
    const first = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    const second = await triggerConsolidation(db, { projectId, triggerType: "threshold" });
    expect(second.created).toBe(false);
    expect(second.job.id).toBe(first.job.id);
    const rows = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, projectId));
    expect(rows).toHaveLength(1);
  });

  it("creates a new job once the previous one finished", async () => {
    const projectId = await createProject(db);
    const first = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    await cancelJob(db, first.job.id);
    const second = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    expect(second.created).toBe(true);
    expect(second.job.id).not.toBe(first.job.id);
  });

  it("rejects unknown projects, malformed ids and disabled projects", async () => {
    await expect(
      triggerConsolidation(db, { projectId: "00000000-0000-4000-8000-000000000000", triggerType: "manual" }),
    ).rejects.toBeInstanceOf(ProjectNotFoundError);
    await expect(triggerConsolidation(db, { projectId: "nope", triggerType: "manual" })).rejects.toBeInstanceOf(
      ProjectNotFoundError,
    );
    const disabled = await createProject(db, { enabled: false });
    const error = await triggerConsolidation(db, { projectId: disabled, triggerType: "manual" }).catch((e) => e);
    expect(error).toBeInstanceOf(ConsolidationDisabledError);
    expect(error).toMatchObject({
      code: "validation_error",
      permanent: true,
      message: `Consolidation is disabled for project ${disabled}`,
    });
  });

  it("validates options, scope and trigger type before inserting anything", async () => {
    const projectId = await createProject(db);
    await expect(
      triggerConsolidation(db, { projectId, triggerType: "manual", options: { similarity_threshold: 2 } }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(
      triggerConsolidation(db, { projectId, triggerType: "manual", options: { bogus: true } }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(
      triggerConsolidation(db, { projectId, triggerType: "manual", scope: { unconsolidated_only: "yes" } }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(
      triggerConsolidation(db, { projectId, triggerType: "later" as "manual" }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(triggerConsolidation(db, { projectId, triggerType: "manual", triggeredBy: " " })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const rows = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, projectId));
    expect(rows).toHaveLength(0);
  });

  it("publishes a created event", async () => {
    const projectId = await createProject(db);
    const events: JobEvent[] = [];
    const unsubscribe = await subscribeJobEvents(db, (event) => events.push(event));
    try {
      const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
      const event = await waitFor(() => events.find((e) => e.job_id === job.id));
      expect(event).toMatchObject({ type: "created", project_id: projectId, status: "pending", progress: 0 });
      expect(new Date(event.at).toISOString()).toBe(event.at);
    } finally {
      await unsubscribe();
    }
  });

  it("cancelJob cancels a pending job, is idempotent, and refuses finished or unknown jobs", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    const cancelled = await cancelJob(db, job.id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.completedAt).toBeInstanceOf(Date);
    expect((await cancelJob(db, job.id)).status).toBe("cancelled");
    await db.orm.update(consolidationJobs).set({ status: "completed" }).where(eq(consolidationJobs.id, job.id));
    await expect(cancelJob(db, job.id)).rejects.toMatchObject({ code: "conflict" });
    await expect(cancelJob(db, "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(cancelJob(db, "x")).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it("cancelJob on a running job only requests the cancel", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    await db.orm
      .update(consolidationJobs)
      .set({ status: "running", lockedBy: "w", lockedUntil: new Date(Date.now() + 60_000) })
      .where(eq(consolidationJobs.id, job.id));
    const requested = await cancelJob(db, job.id);
    expect(requested.status).toBe("running");
    expect(requested.cancelRequestedAt).toBeInstanceOf(Date);
    expect((await getJob(db, job.id)).cancelRequestedAt).toBeInstanceOf(Date);
  });
});
