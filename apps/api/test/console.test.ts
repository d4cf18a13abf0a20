import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { consolidationChanges, consolidationJobs, type NewConsolidationChange } from "@memcons/models";
import type { TestDatabase } from "@memcons/models/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createProjectViaApi, makeApp, openTestDatabase } from "./helpers.js";

let db: TestDatabase;
let consoleDir: string;
let app: ReturnType<typeof makeApp>;

beforeAll(async () => {
  db = await openTestDatabase();
  consoleDir = mkdtempSync(join(tmpdir(), "memcons-console-"));
  mkdirSync(join(consoleDir, "assets"));
  writeFileSync(join(consoleDir, "index.html"), '<!doctype html><title>console</title><script src="/ui/assets/app-1.js"></script>');
  writeFileSync(join(consoleDir, "assets", "app-1.js"), "console.info('console');");
  app = makeApp(db, { consoleDir, schedule: { cron: "0 2 * * *", timezone: "UTC" } });
});
afterAll(async () => {
  await db.close();
  rmSync(consoleDir, { recursive: true, force: true });
});

describe("/ui: the admin console's files", () => {
  it("redirects /ui to /ui/ and serves the page and its assets without a token", async () => {
    const redirect = await app.request("/ui");
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("/ui/");
    const page = await app.request("/ui/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(await page.text()).toContain("/ui/assets/app-1.js");
    const asset = await app.request("/ui/assets/app-1.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("answers 404 for missing files and never serves files outside the console directory", async () => {
    const missing = await call(app, "GET", "/ui/assets/nope.js", { token: null });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe("not_found");
    for (const path of ["/ui/..%2Findex.html", "/ui/%2e%2e/%2e%2e/package.json", "/ui//etc/passwd"]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
    }
  });

  it("answers 503 console_not_built when the console was not built", async () => {
    const bare = makeApp(db, { consoleDir: join(consoleDir, "missing") });
    const res = await call(bare, "GET", "/ui/", { token: null });
    expect(res.status).toBe(503);
    expect(res.body.error).toBe("console_not_built");
    expect(String(res.body.message)).toContain("pnpm build");
  });
});

describe("/docs: the OpenAPI reference", () => {
  it("serves Swagger UI with its assets from the installed package, pointed at /openapi.json", async () => {
    const page = await app.request("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
    expect(html).not.toMatch(/https?:\/\/(?!opensource)/);
    const bundle = await app.request("/docs/assets/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toContain("javascript");
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    const init = await (await app.request("/docs/assets/init.js")).text();
    expect(init).toContain('url: "/openapi.json"');
    const css = await app.request("/docs/assets/swagger-ui.css");
    expect(css.headers.get("content-type")).toContain("text/css");
    expect((await call(app, "GET", "/docs/assets/secrets.json", { token: null })).status).toBe(404);
  });
});

describe("GET /api/v1/consolidation/schedule", () => {
  it("reports the sweep's cron, time zone, next run and the default threshold", async () => {
    const res = await call(app, "GET", "/api/v1/consolidation/schedule");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ schedule: "0 2 * * *", timezone: "UTC", default_threshold: 100 });
    const next = new Date(String(res.body.next_run_at));
    expect(next.getUTCHours()).toBe(2);
    expect(next.getUTCMinutes()).toBe(0);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it("reports nulls when the API was not told the schedule, and needs a token", async () => {
    const bare = makeApp(db, { consoleDir, defaultThreshold: 250 });
    const res = await call(bare, "GET", "/api/v1/consolidation/schedule");
    expect(res.body).toEqual({ schedule: null, timezone: null, next_run_at: null, default_threshold: 250 });
    expect((await call(bare, "GET", "/api/v1/consolidation/schedule", { token: null })).status).toBe(401);
  });
});

describe("GET /api/v1/consolidation/jobs/{job_id}/changes", () => {
  let projectId: string;
  let jobId: string;
  let otherJobId: string;

  beforeAll(async () => {
    projectId = await createProjectViaApi(app, { name: "job-changes" });
    const [job, other] = await db.orm
      .insert(consolidationJobs)
      .values([
        { projectId, status: "completed", triggerType: "manual" },
        { projectId, status: "failed", triggerType: "manual" },
      ])
      .returning();
    jobId = job!.id;
    otherJobId = other!.id;
    const rows: NewConsolidationChange[] = [];
    const at = Date.parse("2026-03-01T00:00:00Z");
    for (let i = 0; i < 7; i++) {
      rows.push({
        consolidationJobId: jobId,
        operation: i === 0 ? "merge" : "archive",
        memoryId: randomUUID(),
        previousState: i === 0 ? null : { execution_summary: `memory ${i}`, is_archived: false },
        newState: i === 0 ? { execution_summary: "merged text", consolidated_from: [] } : { is_archived: true },
        reason: `change ${i}`,
        // Two rows share a timestamp: the keyset must still page through both.
        changedAt: new Date(at + Math.min(i, 5) * 1000),
      });
    }
    rows.push({ consolidationJobId: otherJobId, operation: "archive", memoryId: randomUUID(), previousState: {}, newState: {} });
    await db.orm.insert(consolidationChanges).values(rows);
  });

  it("pages through every change of the job, newest first, with full before and after states", async () => {
    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/consolidation/jobs/${jobId}/changes?limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await call<{ job_id: string; project_id: string; changes: Array<Record<string, unknown>>; next_cursor: string | null }>(app, "GET", url);
      expect(res.status).toBe(200);
      expect(res.body.job_id).toBe(jobId);
      expect(res.body.project_id).toBe(projectId);
      seen.push(...res.body.changes);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((c) => c.id)).size).toBe(7);
    expect(seen.every((c) => c.consolidation_job_id === jobId)).toBe(true);
    const times = seen.map((c) => Date.parse(String(c.changed_at)));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const merge = seen.find((c) => c.operation === "merge");
    expect(merge?.previous_state).toBeNull();
    expect(merge?.new_state).toMatchObject({ execution_summary: "merged text" });
  });

  it("answers 404 for an unknown job and 400 for a bad id, limit or cursor", async () => {
    const unknown = await call(app, "GET", `/api/v1/consolidation/jobs/${randomUUID()}/changes`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe("not_found");
    for (const url of [
      "/api/v1/consolidation/jobs/not-a-uuid/changes",
      `/api/v1/consolidation/jobs/${jobId}/changes?limit=501`,
      `/api/v1/consolidation/jobs/${jobId}/changes?limit=0`,
      `/api/v1/consolidation/jobs/${jobId}/changes?cursor=garbage`,
    ]) {
      const res = await call(app, "GET", url);
      expect(res.status, url).toBe(400);
      expect(res.body.error, url).toBe("validation_error");
    }
    expect((await call(app, "GET", `/api/v1/consolidation/jobs/${jobId}/changes`, { token: null })).status).toBe(401);
  });
});
