import { randomUUID } from "node:crypto";
import { consolidationJobs } from "@memcons/models";
import type { TestDatabase } from "@memcons/models/testing";
import { createJobRunner, type JobRunner } from "@memcons/scheduler";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  createProjectViaApi,
  disableDirectly,
  eventually,
  makeApp,
  openTestDatabase,
  sampleMemories,
  TEST_JOB_HANDLERS,
  TOKEN,
} from "./helpers.js";

interface Status {
  job_id: string;
  project_id: string;
  status: string;
  trigger_type: string;
  progress: number;
  started_at: string | null;
  completed_at: string | null;
  memories_merged: number;
  memories_archived: number;
  memories_promoted: number;
  summaries_created: number;
  phases_completed: string[];
  consolidation_changes: string[];
  created_memory_ids: string[];
  error_message: string | null;
}
interface Counts {
  memory_counts: { active: number; archived: number; duplicate: number; total: number };
}

let db: TestDatabase;
let app: ReturnType<typeof makeApp>;
let runner: JobRunner | undefined;

beforeAll(async () => {
  db = await openTestDatabase();
  app = makeApp(db);
});
afterEach(async () => {
  await runner?.stop({ graceMs: 5_000 });
  runner = undefined;
});
afterAll(async () => {
  await db.close();
});

async function trigger(projectId: string, options?: Record<string, unknown>) {
  return call<{ job_id: string; status: string; estimated_completion: string; created: boolean }>(
    app,
    "POST",
    "/api/v1/consolidation/trigger",
    { body: options ? { project_id: projectId, options } : { project_id: projectId } },
  );
}

async function counts(projectId: string) {
  return (await call<Counts>(app, "GET", `/api/v1/projects/${projectId}`)).body.memory_counts;
}

async function runUntilFinished(jobId: string): Promise<Status> {
  runner = createJobRunner({ db, pollIntervalMs: 50, workerId: "api-test" , handlers: TEST_JOB_HANDLERS });
  await runner.start();
  return eventually(async () => {
    const res = await call<Status>(app, "GET", `/api/v1/consolidation/status/${jobId}`);
    return ["completed", "failed", "cancelled"].includes(res.body.status) ? res.body : undefined;
  }, 60_000);
}

describe("trigger → status → history → rollback", () => {
  it("runs a manual job end to end and rolls it back to the original counts", async () => {
    const projectId = await createProjectViaApi(app, { name: "end-to-end", consolidation_threshold: 1000 });
    const ingest = await call(app, "POST", `/api/v1/projects/${projectId}/memories`, {
      body: { memories: sampleMemories(6, 5) },
    });
    expect(ingest.status).toBe(201);
    const before = await counts(projectId);
    expect(before).toEqual({ active: 30, archived: 0, duplicate: 0, total: 30 });

    const first = await trigger(projectId, { archive_enabled: false });
    expect(first.status).toBe(202);
    expect(first.headers.get("location")).toBe(`/api/v1/consolidation/status/${first.body.job_id}`);
    expect(first.body).toMatchObject({ status: "pending", created: true });
    expect(Date.parse(first.body.estimated_completion)).toBeGreaterThan(Date.now() - 1_000);
    const again = await trigger(projectId);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ job_id: first.body.job_id, created: false });

    const pending = await call<Status>(app, "GET", `/api/v1/consolidation/status/${first.body.job_id}`);
    expect(pending.body).toMatchObject({ job_id: first.body.job_id, project_id: projectId, status: "pending", trigger_type: "manual", progress: 0 });

    const done = await runUntilFinished(first.body.job_id);
    expect(done.status).toBe("completed");
    expect(done.progress).toBe(1);
    expect(done.memories_merged).toBeGreaterThan(0);
    expect(done.phases_completed).toContain("merge");
    expect(done.consolidation_changes.length).toBeGreaterThan(0);
    expect(done.created_memory_ids.length).toBeGreaterThanOrEqual(6);
    expect(done.completed_at).not.toBeNull();
    const raw = await app.request(`/api/v1/consolidation/status/${first.body.job_id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const text = await raw.text();
    expect(text).toBe(JSON.stringify(JSON.parse(text))); // compact, as every other answer

    const after = await counts(projectId);
    expect(after.duplicate).toBe(30);
    expect(after.total).toBe(30 + done.created_memory_ids.length);

    const history = await call<{ jobs: Array<{ id: string; changes_total: number; changes: unknown[]; memories_before: number | null; memories_after: number | null }> }>(
      app,
      "GET",
      `/api/v1/consolidation/history/${projectId}`,
    );
    expect(history.status).toBe(200);
    expect(history.body.jobs[0]!.id).toBe(first.body.job_id);
    expect(history.body.jobs[0]!.changes_total).toBe(done.consolidation_changes.length);
    expect(history.body.jobs[0]!.memories_before).toBe(30);
    expect(history.body.jobs[0]!.memories_after).toBe(after.active);

    const rollback = await call<{ success: boolean; rollback_id: string; memories_restored: number; memories_deleted: number; warnings: string[] }>(
      app,
      "POST",
      "/api/v1/consolidation/rollback",
      { body: { consolidation_id: first.body.job_id, reason: "testing the rollback" } },
    );
    expect(rollback.status).toBe(200);
    expect(rollback.body.success).toBe(true);
    expect(rollback.body.memories_deleted).toBe(done.created_memory_ids.length);
    expect(rollback.body.memories_restored).toBeGreaterThanOrEqual(30);
    expect(await counts(projectId)).toEqual(before);
    // A memory the rollback deleted keeps its audit trail: created by the job, then rolled back.
    const trail = await call<{ changes: Array<{ operation: string; consolidation_job_id: string; previous_state: unknown }> }>(
      app,
      "GET",
      `/api/v1/projects/${projectId}/memories/${done.created_memory_ids[0]}/changes`,
    );
    expect(trail.status).toBe(200);
    const operations = trail.body.changes.map((c) => c.operation);
    expect(operations[0]).toBe("rollback");
    expect(operations.at(-1)).toMatch(/^(merge|summarize)$/);
    expect(trail.body.changes.at(-1)!.previous_state).toBeNull();
    expect(new Set(trail.body.changes.map((c) => c.consolidation_job_id))).toEqual(new Set([first.body.job_id]));

    const twice = await call(app, "POST", "/api/v1/consolidation/rollback", { body: { consolidation_id: first.body.job_id } });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toBe("conflict");
    const status = await call<Status & { rolled_back_at: string | null }>(app, "GET", `/api/v1/consolidation/status/${first.body.job_id}`);
    expect(status.body.rolled_back_at).not.toBeNull();
  }, 90_000);
});

describe("concurrent triggers", () => {
  it("give every caller the same job, created exactly once", async () => {
    const projectId = await createProjectViaApi(app, { name: "racing" });
    const answers = await Promise.all(Array.from({ length: 8 }, () => trigger(projectId)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    expect(new Set(answers.map((a) => a.body.job_id)).size).toBe(1);
    expect(answers.filter((a) => a.body.created)).toHaveLength(1);
    const jobs = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, projectId));
    expect(jobs).toHaveLength(1);
  });
});

describe("POST /api/v1/consolidation/trigger errors", () => {
  it("answers 404 for an unknown project and 400 for a disabled one", async () => {
    const missing = await trigger(randomUUID());
    expect(missing.status).toBe(404);
    expect((missing.body as unknown as { error: string }).error).toBe("not_found");
    const projectId = await createProjectViaApi(app, { name: "disabled" });
    await disableDirectly(db, projectId);
    const disabled = await trigger(projectId);
    expect(disabled.status).toBe(400);
    expect(disabled.body).toEqual({ error: "validation_error", message: `Consolidation is disabled for project ${projectId}` });
  });

  it("validates options with the design's ranges", async () => {
    const projectId = await createProjectViaApi(app);
    for (const options of [{ similarity_threshold: 0.2 }, { min_cluster_size: 0 }, { nope: true }, []]) {
      const res = await trigger(projectId, options as Record<string, unknown>);
      expect(res.status, JSON.stringify(options)).toBe(400);
    }
    const bad = await call(app, "POST", "/api/v1/consolidation/trigger", { body: { project_id: "x" } });
    expect(bad.status).toBe(400);
  });
});

describe("status, cancel and rollback errors", () => {
  it("answers 404 for unknown jobs", async () => {
    const id = randomUUID();
    expect((await call(app, "GET", `/api/v1/consolidation/status/${id}`)).status).toBe(404);
    expect((await call(app, "POST", `/api/v1/consolidation/jobs/${id}/cancel`)).status).toBe(404);
    const rollback = await call(app, "POST", "/api/v1/consolidation/rollback", { body: { consolidation_id: id } });
    expect(rollback.status).toBe(404);
    expect(rollback.body.error).toBe("not_found");
  });

  it("cancels a pending job and refuses to cancel a finished one", async () => {
    const projectId = await createProjectViaApi(app);
    const job = await trigger(projectId);
    const cancelled = await call<Status>(app, "POST", `/api/v1/consolidation/jobs/${job.body.job_id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ job_id: job.body.job_id, status: "cancelled" });
    const [finished] = await db.orm
      .insert(consolidationJobs)
      .values({ projectId, status: "completed", triggerType: "manual", completedAt: new Date(), progress: 1 })
      .returning();
    const refused = await call(app, "POST", `/api/v1/consolidation/jobs/${finished!.id}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe("conflict");
  });

  it("answers 422 when the rollback window has passed and 409 for an active job", async () => {
    const projectId = await createProjectViaApi(app);
    const old = new Date(Date.now() - 8 * 24 * 3_600_000);
    const [expired] = await db.orm
      .insert(consolidationJobs)
      .values({ projectId, status: "completed", triggerType: "manual", createdAt: old, startedAt: old, completedAt: old, progress: 1 })
      .returning();
    const res = await call(app, "POST", "/api/v1/consolidation/rollback", { body: { consolidation_id: expired!.id } });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe("rollback_window_expired");
    const active = await trigger(projectId);
    const conflict = await call(app, "POST", "/api/v1/consolidation/rollback", { body: { consolidation_id: active.body.job_id } });
    expect(conflict.status).toBe(409);
    await db.orm.update(consolidationJobs).set({ status: "cancelled" }).where(eq(consolidationJobs.id, active.body.job_id));
  });

  it("validates the rollback body", async () => {
    for (const body of [{}, { consolidation_id: "nope" }, { consolidation_id: randomUUID(), reason: 5 }, { consolidation_id: randomUUID(), x: 1 }]) {
      const res = await call(app, "POST", "/api/v1/consolidation/rollback", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });
});
