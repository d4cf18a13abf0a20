import { randomUUID } from "node:crypto";
import { consolidationChanges, consolidationJobs, type NewConsolidationChange } from "@memcons/models";
import type { TestDatabase } from "@memcons/models/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createProjectViaApi, makeApp, openTestDatabase } from "./helpers.js";

interface HistoryPage {
  jobs: Array<{
    id: string;
    status: string;
    created_at: string;
    changes: Array<{ operation: string; consolidation_job_id: string }>;
    changes_total: number;
    memories_before: number | null;
    memories_after: number | null;
  }>;
  next_cursor: string | null;
}

let db: TestDatabase;
let app: ReturnType<typeof makeApp>;
let projectId: string;
const jobIds: string[] = [];

beforeAll(async () => {
  db = await openTestDatabase();
  app = makeApp(db);
  projectId = await createProjectViaApi(app, { name: "history" });
  // 12 finished jobs, one per hour, oldest first; two share a timestamp to exercise the keyset tie-break.
  const base = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < 12; i++) {
    const createdAt = new Date(base + Math.min(i, 10) * 3_600_000);
    const [job] = await db.orm
      .insert(consolidationJobs)
      .values({
        projectId,
        status: i % 3 === 0 ? "failed" : "completed",
        triggerType: "manual",
        createdAt,
        startedAt: createdAt,
        completedAt: new Date(createdAt.getTime() + 5_000),
        durationSeconds: 5,
        metrics: i === 1 ? { memories_before: 40, memories_after: 31 } : {},
      })
      .returning();
    jobIds.push(job!.id);
  }
  // Job 1: 60 archive changes (only 50 listed) and one merge.
  const changes: NewConsolidationChange[] = [];
  for (let k = 0; k < 60; k++) {
    changes.push({
      consolidationJobId: jobIds[1]!,
      operation: "archive",
      memoryId: randomUUID(),
      previousState: { is_archived: false },
      newState: { is_archived: true },
      reason: "staleness",
    });
  }
  changes.push({ consolidationJobId: jobIds[1]!, operation: "merge", memoryId: randomUUID(), previousState: null, newState: { memory_type: "consolidated" } });
  changes.push({ consolidationJobId: jobIds[2]!, operation: "promote", memoryId: randomUUID(), previousState: null, newState: {} });
  await db.orm.insert(consolidationChanges).values(changes);
});
afterAll(async () => {
  await db.close();
});

const historyUrl = (query = "") => `/api/v1/consolidation/history/${projectId}${query}`;

describe("GET /api/v1/consolidation/history/{project_id}", () => {
  it("lists jobs newest first with their changes", async () => {
    const res = await call<HistoryPage>(app, "GET", historyUrl());
    expect(res.status).toBe(200);
    expect(res.body.jobs).toHaveLength(12);
    const times = res.body.jobs.map((j) => Date.parse(j.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const busy = res.body.jobs.find((j) => j.id === jobIds[1])!;
    expect(busy.changes).toHaveLength(50);
    expect(busy.changes_total).toBe(61);
    expect(busy.memories_before).toBe(40);
    expect(busy.memories_after).toBe(31);
    expect(busy.changes.every((c) => c.consolidation_job_id === jobIds[1])).toBe(true);
    const quiet = res.body.jobs.find((j) => j.id === jobIds[5])!;
    expect(quiet.changes).toEqual([]);
    expect(quiet.changes_total).toBe(0);
  });

  it("paginates with a cursor over every job exactly once, even with equal timestamps", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor ? `&cursor=${cursor}` : "";
      const res = await call<HistoryPage>(app, "GET", historyUrl(`?limit=5${suffix}`));
      expect(res.status).toBe(200);
      seen.push(...res.body.jobs.map((j) => j.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(12);
    expect(new Set(seen)).toEqual(new Set(jobIds));
  });

  it("filters by status, time range and operation", async () => {
    const failed = await call<HistoryPage>(app, "GET", historyUrl("?status=failed"));
    expect(failed.body.jobs.map((j) => j.status)).toEqual(["failed", "failed", "failed", "failed"]);
    const ranged = await call<HistoryPage>(app, "GET", historyUrl("?from=2026-01-01T02:00:00Z&to=2026-01-01T05:00:00%2B00:00"));
    expect(ranged.body.jobs.map((j) => j.id)).toEqual([jobIds[4], jobIds[3], jobIds[2]]);
    const merges = await call<HistoryPage>(app, "GET", historyUrl("?operation=merge"));
    expect(merges.body.jobs.map((j) => j.id)).toEqual([jobIds[1]]);
    expect(merges.body.jobs[0]!.changes.map((c) => c.operation)).toEqual(["merge"]);
    expect(merges.body.jobs[0]!.changes_total).toBe(1);
  });

  it("rejects bad filters and unknown projects", async () => {
    for (const query of ["?status=done", "?operation=delete", "?from=yesterday", "?limit=0", "?limit=101", "?cursor=!!"]) {
      const res = await call(app, "GET", historyUrl(query));
      expect(res.status, query).toBe(400);
      expect(res.body.error).toBe("validation_error");
    }
    const missing = await call(app, "GET", `/api/v1/consolidation/history/${randomUUID()}`);
    expect(missing.status).toBe(404);
  });
});
