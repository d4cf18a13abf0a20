import { randomUUID } from "node:crypto";
import { playbookEntries } from "@memcons/models";
import { createJobRunner } from "@memcons/scheduler";
import { describe, expect, it } from "vitest";
import { call, createProjectViaApi, eventually, sampleMemories, TEST_JOB_HANDLERS, useTestApp } from "./helpers.js";

interface Entry {
  id: string;
  project_id: string;
  content: string;
  category: string;
  tags: string[];
  priority: number;
  supporting_memory_ids: string[];
  source_job_id: string | null;
  created_at: string;
}
interface Page {
  entries: Entry[];
  next_cursor: string | null;
}

const t = useTestApp();

describe("GET /api/v1/projects/{id}/playbook", () => {
  it("lists what a job promoted, newest first and without embeddings, and forgets it when the job is rolled back", async () => {
    const projectId = await createProjectViaApi(t.app, { name: "playbook" });
    const ingest = await call(t.app, "POST", `/api/v1/projects/${projectId}/memories`, { body: { memories: sampleMemories(3, 5) } });
    expect(ingest.status).toBe(201);
    const trigger = await call<{ job_id: string }>(t.app, "POST", "/api/v1/consolidation/trigger", { body: { project_id: projectId } });
    const jobId = trigger.body.job_id;
    const runner = createJobRunner({ db: t.db, pollIntervalMs: 50, workerId: "playbook-test" , handlers: TEST_JOB_HANDLERS });
    await runner.start();
    const result = await eventually(async () => {
      const status = await call<{ status: string; memories_promoted: number }>(t.app, "GET", `/api/v1/consolidation/status/${jobId}`);
      return status.body.status === "completed" ? status.body : undefined;
    }, 60_000).finally(() => runner.stop({ graceMs: 5_000 }));
    expect(result.memories_promoted).toBeGreaterThan(0);

    const page = await call<Page>(t.app, "GET", `/api/v1/projects/${projectId}/playbook?limit=100`);
    expect(page.status).toBe(200);
    expect(page.body.next_cursor).toBeNull();
    expect(page.body.entries).toHaveLength(result.memories_promoted);
    for (const entry of page.body.entries) {
      expect(entry).toMatchObject({ project_id: projectId, source_job_id: jobId });
      expect(entry).not.toHaveProperty("embedding");
      expect(entry.content.length).toBeGreaterThan(0);
      expect(entry.supporting_memory_ids.length).toBeGreaterThan(0);
    }
    const times = page.body.entries.map((e) => e.created_at);
    expect(times).toEqual([...times].sort().reverse());

    const rollback = await call(t.app, "POST", "/api/v1/consolidation/rollback", { body: { consolidation_id: jobId } });
    expect(rollback.status).toBe(200);
    const after = await call<Page>(t.app, "GET", `/api/v1/projects/${projectId}/playbook`);
    expect(after.body).toEqual({ entries: [], next_cursor: null });
  });

  it("filters by category and tag and pages with a cursor", async () => {
    const projectId = await createProjectViaApi(t.app, { name: "playbook pages" });
    const base = Date.parse("2026-03-01T00:00:00Z");
    const rows = [
      { category: "error_fix", tags: ["db", "retry"] },
      { category: "error_fix", tags: ["db"] },
      { category: "decision", tags: ["retry"] },
      { category: "warning", tags: [] },
      { category: "error_fix", tags: ["retry"] },
    ].map((r, i) => ({
      id: randomUUID(),
      projectId,
      content: `Entry ${i}: always bound retries.`,
      category: r.category,
      tags: r.tags,
      priority: 90 - i,
      embedding: [0.1, 0.2],
      // Two entries share a timestamp: the id breaks the tie.
      createdAt: new Date(base + Math.min(i, 3) * 60_000),
    }));
    await t.db.orm.insert(playbookEntries).values(rows);
    const expected = [...rows]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((r) => r.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await call<Page>(t.app, "GET", `/api/v1/projects/${projectId}/playbook${query}`);
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.entries.map((e) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const fixes = await call<Page>(t.app, "GET", `/api/v1/projects/${projectId}/playbook?category=error_fix`);
    expect(fixes.body.entries.map((e) => e.category)).toEqual(["error_fix", "error_fix", "error_fix"]);
    const retry = await call<Page>(t.app, "GET", `/api/v1/projects/${projectId}/playbook?tag=retry&category=error_fix`);
    expect(retry.body.entries.map((e) => e.tags)).toEqual([["retry"], ["db", "retry"]]);
    const none = await call<Page>(t.app, "GET", `/api/v1/projects/${projectId}/playbook?tag=nothing`);
    expect(none.body).toEqual({ entries: [], next_cursor: null });
  });

  it("answers 404 for an unknown project, 400 for a bad query and 401 without a token", async () => {
    const projectId = await createProjectViaApi(t.app, { name: "playbook errors" });
    const missing = await call(t.app, "GET", `/api/v1/projects/${randomUUID()}/playbook`);
    expect(missing).toMatchObject({ status: 404, body: { error: "not_found" } });
    for (const query of ["?limit=0", "?limit=101", "?cursor=not-a-cursor", "?category=", "?tag=%20"]) {
      const bad = await call(t.app, "GET", `/api/v1/projects/${projectId}/playbook${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body, query).toMatchObject({ error: "validation_error" });
    }
    const anonymous = await call(t.app, "GET", `/api/v1/projects/${projectId}/playbook`, { token: null });
    expect(anonymous).toMatchObject({ status: 401, body: { error: "unauthorized" } });
  });
});
