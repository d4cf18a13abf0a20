import { randomUUID } from "node:crypto";
import {
  consolidationChanges,
  consolidationJobs,
  createDatabase,
  JobNotFoundError,
  type NewConsolidationChange,
  queryRows,
} from "@memcons/models";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { JobStatusSchema } from "../src/schemas/jobs.js";
import { StatusReader } from "../src/services/status-reader.js";
import { call, createProjectViaApi, eventually, useTestApp } from "./helpers.js";

const fixture = useTestApp();

const sorted = (ids: string[]) => [...ids].sort();


/** A failed job with every status field set, plus audit rows of each kind; returns what its status must show. */
async function insertFinishedJob(projectId: string) {
  const times = {
    createdAt: new Date("2026-03-01T10:00:00.123Z"),
    startedAt: new Date("2026-03-01T10:00:01.456Z"),
    completedAt: new Date("2026-03-01T10:00:09.789Z"),
    cancelRequestedAt: new Date("2026-03-01T10:00:05.001Z"),
  };
  const [job] = await fixture.db.orm
    .insert(consolidationJobs)
    .values({
      projectId,
      status: "failed",
      triggerType: "threshold",
      triggeredBy: "threshold:120",
      progress: 0.3,
      retryCount: 2,
      durationSeconds: 8.25,
      memoriesMerged: 4,
      memoriesArchived: 3,
      memoriesPromoted: 1,
      summariesCreated: 2,
      phasesCompleted: ["detect", "merge"],
      errorMessage: 'synthesizer said "no"',
      ...times,
    })
    .returning({ id: consolidationJobs.id });
  const created = [randomUUID(), randomUUID(), randomUUID()];
  const rows: NewConsolidationChange[] = [
    { consolidationJobId: job!.id, operation: "merge", memoryId: created[0]!, previousState: null, newState: { a: 1 } },
    { consolidationJobId: job!.id, operation: "summarize", memoryId: created[1]!, previousState: null, newState: { a: 1 } },
    { consolidationJobId: job!.id, operation: "merge", memoryId: created[2]!, previousState: null, newState: { a: 1 } },
    // Changes to existing memories: listed as changes, never as created memories.
    { consolidationJobId: job!.id, operation: "merge", memoryId: randomUUID(), previousState: { v: 1 }, newState: { v: 2 } },
    { consolidationJobId: job!.id, operation: "archive", memoryId: randomUUID(), previousState: { v: 1 }, newState: { v: 2 } },
    { consolidationJobId: job!.id, operation: "promote", memoryId: randomUUID(), previousState: null, newState: { p: 1 } },
  ];
  const changes = await fixture.db.orm.insert(consolidationChanges).values(rows).returning({ id: consolidationChanges.id });
  return {
    job_id: job!.id,
    project_id: projectId,
    status: "failed",
    trigger_type: "threshold",
    triggered_by: "threshold:120",
    progress: 0.3,
    created_at: times.createdAt.toISOString(),
    started_at: times.startedAt.toISOString(),
    completed_at: times.completedAt.toISOString(),
    duration_seconds: 8.25,
    retry_count: 2,
    memories_merged: 4,
    memories_archived: 3,
    memories_promoted: 1,
    summaries_created: 2,
    phases_completed: ["detect", "merge"],
    consolidation_changes: sorted(changes.map((c) => c.id)),
    created_memory_ids: sorted(created),
    error_message: 'synthesizer said "no"',
    cancel_requested_at: times.cancelRequestedAt.toISOString(),
    rolled_back_at: null,
  };
}

describe("GET /api/v1/consolidation/status/{job_id}", () => {
  it("shows every field of the stored job, with sorted change and created-memory ids", async () => {
    const projectId = await createProjectViaApi(fixture.app, { name: "status fields" });
    const expected = await insertFinishedJob(projectId);
    const res = await call(fixture.app, "GET", `/api/v1/consolidation/status/${expected.job_id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toStrictEqual(expected);
    expect(JobStatusSchema.strict().safeParse(res.body).success).toBe(true);
  });

  it("shows a job with no audit rows and no timestamps with empty lists and nulls", async () => {
    const projectId = await createProjectViaApi(fixture.app, { name: "status empty" });
    const [job] = await fixture.db.orm
      .insert(consolidationJobs)
      .values({ projectId, triggerType: "manual" })
      .returning({ id: consolidationJobs.id });
    const res = await call(fixture.app, "GET", `/api/v1/consolidation/status/${job!.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "pending",
      progress: 0,
      started_at: null,
      completed_at: null,
      duration_seconds: null,
      phases_completed: [],
      consolidation_changes: [],
      created_memory_ids: [],
      error_message: null,
    });
    expect(JobStatusSchema.strict().safeParse(res.body).success).toBe(true);
  });
});

describe("StatusReader", () => {
  it("answers a later read with what the database holds then", async () => {
    const projectId = await createProjectViaApi(fixture.app, { name: "fresh reads" });
    const { job_id: jobId } = await insertFinishedJob(projectId);
    const reader = new StatusReader(fixture.db);
    const first = JSON.parse(await reader.read(jobId)) as { error_message: string };
    expect(first.error_message).toBe('synthesizer said "no"');
    await fixture.db.orm
      .update(consolidationJobs)
      .set({ errorMessage: "changed after the first read" })
      .where(sql`${consolidationJobs.id} = ${jobId}::uuid`);
    const later = JSON.parse(await reader.read(jobId)) as { error_message: string };
    expect(later.error_message).toBe("changed after the first read");
  });

  describe.runIf(process.env.DATABASE_URL)("on PostgreSQL", () => {
    it("answers concurrent reads of several jobs with one query", async () => {
      const projectId = await createProjectViaApi(fixture.app, { name: "batched reads" });
      const jobs = await Promise.all(Array.from({ length: 4 }, () => insertFinishedJob(projectId)));
      const reader = new StatusReader(fixture.db);
      const blocker = await createDatabase(fixture.db.url, { maxConnections: 1 });
      try {
        let reads: Promise<string[]> | undefined;
        // Hold the jobs table so that every status query waits where pg_stat_activity can count it (as a
        // session waiting for a lock: its query text is not shown yet while a prepared statement binds);
        // the lock goes when this transaction ends, and the reads then complete.
        await blocker.orm.transaction(async (tx) => {
          await tx.execute(sql`lock table memcons.consolidation_jobs in access exclusive mode`);
          reads = Promise.all(jobs.flatMap((job) => Array.from({ length: 5 }, () => reader.read(job.job_id))));
          const waitingQueries = async () => {
            const [row] = await queryRows<{ n: number }>(
              tx,
              sql`select count(*)::int as n from pg_stat_activity
                  where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
            );
            return row?.n ?? 0;
          };
          await eventually(async () => ((await waitingQueries()) > 0 ? true : undefined));
          // Time for any further query to arrive and queue behind the lock too.
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(await waitingQueries()).toBe(1);
        });
        const bodies = await reads!;
        expect(bodies.map((body) => (JSON.parse(body) as { job_id: string }).job_id)).toEqual(
          jobs.flatMap((job) => Array.from({ length: 5 }, () => job.job_id)),
        );
      } finally {
        await blocker.close();
      }
    });
  });

  it("starts a new read after invalidate, even while one is in flight", async () => {
    const projectId = await createProjectViaApi(fixture.app, { name: "invalidated reads" });
    const { job_id: jobId } = await insertFinishedJob(projectId);
    const reader = new StatusReader(fixture.db);
    const inFlight = reader.read(jobId);
    reader.invalidate(jobId);
    const fresh = reader.read(jobId);
    expect(fresh).not.toBe(inFlight);
    expect(await fresh).toBe(await inFlight);
  });

  it("rejects an unknown job with JobNotFoundError and finds it once it exists", async () => {
    const projectId = await createProjectViaApi(fixture.app, { name: "missing job" });
    const reader = new StatusReader(fixture.db);
    const jobId = randomUUID();
    await expect(reader.read(jobId)).rejects.toBeInstanceOf(JobNotFoundError);
    await fixture.db.orm.insert(consolidationJobs).values({ id: jobId, projectId, triggerType: "manual" });
    expect((JSON.parse(await reader.read(jobId)) as { job_id: string }).job_id).toBe(jobId);
  });
});
