import { randomUUID } from "node:crypto";
import { consolidationJobs } from "@memcons/models";
import type { TestDatabase } from "@memcons/models/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createProjectViaApi, makeApp, openTestDatabase } from "./helpers.js";

let db: TestDatabase;
let app: ReturnType<typeof makeApp>;

beforeAll(async () => {
  db = await openTestDatabase();
  app = makeApp(db);
}, 120_000);

afterAll(async () => {
  await db.close();
});

describe("POST /api/v1/projects/{id}/reembed", () => {
  it("queues one reembed job per project, beside its consolidation job, and returns the active one again", async () => {
    const projectId = await createProjectViaApi(app, { name: "reembed queue" });
    const consolidation = await call(app, "POST", "/api/v1/consolidation/trigger", { body: { project_id: projectId } });
    expect(consolidation.status).toBe(202);
    const first = await call<{ job_id: string; created: boolean; status: string }>(app, "POST", `/api/v1/projects/${projectId}/reembed`);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ created: true, status: "pending" });
    expect(first.headers.get("location")).toBe(`/api/v1/consolidation/status/${first.body.job_id}`);
    const again = await call<{ job_id: string; created: boolean }>(app, "POST", `/api/v1/projects/${projectId}/reembed`, {
      body: { all: true },
    });
    expect(again.body).toMatchObject({ job_id: first.body.job_id, created: false });
    const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, first.body.job_id));
    expect(job).toMatchObject({ kind: "reembed", projectId, triggerType: "manual", options: {} });
  });

  it("stores option all and refuses unknown fields and unknown projects", async () => {
    const projectId = await createProjectViaApi(app, { name: "reembed all" });
    const queued = await call<{ job_id: string }>(app, "POST", `/api/v1/projects/${projectId}/reembed`, { body: { all: true } });
    const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, queued.body.job_id));
    expect(job?.options).toEqual({ all: true });
    const bad = await call(app, "POST", `/api/v1/projects/${projectId}/reembed`, { body: { everything: true } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "validation_error" });
    const missing = await call(app, "POST", `/api/v1/projects/${randomUUID()}/reembed`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: "not_found" });
  });
});
