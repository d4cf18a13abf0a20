import { randomUUID } from "node:crypto";
import { consolidationChanges, consolidationJobs } from "@memcons/models";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createProjectViaApi, sampleMemories, useTestApp } from "./helpers.js";

interface Change {
  id: string;
  consolidation_job_id: string | null;
  operation: string;
  memory_id: string | null;
  changed_at: string;
  changed_by: string;
  reason: string | null;
}
interface Page {
  changes: Change[];
  next_cursor: string | null;
}

const t = useTestApp();
let projectId: string;
let jobId: string;
let memoryIds: string[];
const HOUR = 3_600_000;
const base = Date.parse("2026-05-01T00:00:00Z");

/** Creates a project with memories, a finished job with four audit rows, and its memories archived by hand. */
async function seedProject(name: string): Promise<{ projectId: string; jobId: string; memoryIds: string[] }> {
  const id = await createProjectViaApi(t.app, { name });
  const ingest = await call<{ ids: string[] }>(t.app, "POST", `/api/v1/projects/${id}/memories`, {
    body: { memories: sampleMemories(1, 3, name) },
  });
  const [job] = await t.db.orm
    .insert(consolidationJobs)
    .values({ projectId: id, status: "completed", triggerType: "manual", createdAt: new Date(base) })
    .returning();
  const ids = ingest.body.ids;
  await t.db.orm.insert(consolidationChanges).values(
    (["merge", "merge", "archive", "rollback"] as const).map((operation, k) => ({
      consolidationJobId: job!.id,
      operation,
      memoryId: ids[k % ids.length]!,
      previousState: {},
      newState: {},
      changedAt: new Date(base + k * HOUR),
    })),
  );
  return { projectId: id, jobId: job!.id, memoryIds: ids };
}

const url = (query = "") => `/api/v1/projects/${projectId}/changes${query}`;

beforeAll(async () => {
  ({ projectId, jobId, memoryIds } = await seedProject("audited"));
  const archived = await call(t.app, "POST", `/api/v1/projects/${projectId}/memories/archive`, {
    body: { memory_ids: memoryIds.slice(0, 2), reason: "obsolete" },
  });
  expect(archived.status).toBe(200);
  await call(t.app, "POST", `/api/v1/projects/${projectId}/memories/unarchive`, { body: { memory_ids: [memoryIds[0]] } });
  // Another project's job and manual change must never show up.
  const other = await seedProject("other");
  await call(t.app, "POST", `/api/v1/projects/${other.projectId}/memories/archive`, { body: { memory_ids: other.memoryIds } });
});

describe("GET /api/v1/projects/{id}/changes", () => {
  it("lists the project's job and manual changes newest first, and no other project's", async () => {
    const res = await call<Page>(t.app, "GET", url());
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.changes.map((c) => c.operation)).toEqual(["unarchive", "archive", "archive", "rollback", "archive", "merge", "merge"]);
    const times = res.body.changes.map((c) => Date.parse(c.changed_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const change of res.body.changes.slice(3)) expect(change.consolidation_job_id).toBe(jobId);
    for (const change of res.body.changes.slice(0, 3)) {
      expect(change).toMatchObject({ consolidation_job_id: null });
      expect(memoryIds).toContain(change.memory_id);
      expect(change.changed_by).toMatch(/^admin:/);
    }
  });

  it("filters by source, operation and time, and pages with a cursor", async () => {
    const manual = await call<Page>(t.app, "GET", url("?source=manual"));
    expect(manual.body.changes.map((c) => c.operation)).toEqual(["unarchive", "archive", "archive"]);
    expect(manual.body.changes[1]?.reason).toBe("obsolete");
    const jobs = await call<Page>(t.app, "GET", url("?source=job"));
    expect(jobs.body.changes.map((c) => c.operation)).toEqual(["rollback", "archive", "merge", "merge"]);
    const archives = await call<Page>(t.app, "GET", url("?operation=archive"));
    expect(archives.body.changes.map((c) => c.consolidation_job_id)).toEqual([null, null, jobId]);
    const window = await call<Page>(t.app, "GET", url(`?from=${new Date(base + HOUR).toISOString()}&to=${new Date(base + 3 * HOUR).toISOString()}`));
    expect(window.body.changes.map((c) => c.operation)).toEqual(["archive", "merge"]);

    const all = (await call<Page>(t.app, "GET", url())).body.changes.map((c) => c.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = (await call<Page>(t.app, "GET", url(cursor ? `?limit=3&cursor=${cursor}` : "?limit=3"))).body;
      expect(page.changes.length).toBeLessThanOrEqual(3);
      seen.push(...page.changes.map((c) => c.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it("answers 404 for an unknown project and 400 for a bad query", async () => {
    const missing = await call(t.app, "GET", `/api/v1/projects/${randomUUID()}/changes`);
    expect(missing).toMatchObject({ status: 404, body: { error: "not_found" } });
    for (const query of ["?source=robot", "?operation=delete", "?from=yesterday", "?limit=0", "?cursor=%%%"]) {
      const bad = await call(t.app, "GET", url(query));
      expect(bad.status, query).toBe(400);
      expect(bad.body, query).toMatchObject({ error: "validation_error" });
    }
  });
});
