import { type Database, createDatabase } from "@memcons/models";
import { type FaultProxy, type TestDatabase, createTestDatabase, preferredTarget, startFaultProxy } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type JobRunner, createJobRunner, triggerConsolidation } from "../src/index.js";
import { createProject, deferred, getJob, waitFor } from "./helpers.js";

const url = process.env.DATABASE_URL;

/**
 * A runner whose every connection goes through a fault proxy; its handler runs one statement, then
 * waits for the test to cut the database, then runs statements again.
 */
describe.runIf(url)("a job step failing because the database went away", () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let handle: Database;
  let runner: JobRunner | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(preferredTarget(url));
  });
  afterEach(async () => {
    await runner?.stop({ graceMs: 100 });
    await handle?.close();
    await proxy?.close();
  });
  afterAll(async () => {
    await db.close();
  });

  async function startRunner(outageLimitMs: number, attempts: string[], cut: Promise<void>, reached: () => void) {
    proxy = await startFaultProxy(db.url);
    handle = await createDatabase(proxy.urlFor(db.url), { maxConnections: 3, connectTimeoutSeconds: 2 });
    runner = createJobRunner({
      db: handle,
      workerId: "outage-runner",
      leaseMs: 1_500,
      pollIntervalMs: 100,
      outageLimitMs,
      retryPolicy: { retries: 3, factor: 1, minTimeoutMs: 50, maxTimeoutMs: 50, jitter: false },
      handlers: {
        consolidation: async (job, ctx) => {
          attempts.push(ctx.workerId);
          await ctx.db.rows(sql`select 1`);
          reached();
          await cut;
          await ctx.db.rows(sql`update memcons.consolidation_jobs set metrics = jsonb_build_object('step', 'after') where id = ${job.id}`);
        },
      },
    });
    await runner.start();
  }

  it("waits for it, keeps the lease and resumes on the same worker without using a retry", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    const attempts: string[] = [];
    const cut = deferred();
    const reached = deferred();
    await startRunner(20_000, attempts, cut.promise, reached.resolve);
    await reached.promise;
    proxy.outage(3_000); // twice the lease
    cut.resolve();
    const done = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "completed" && current;
    }, 30_000, 100);
    expect(done.retryCount).toBe(0);
    expect(done.metrics).toEqual({ step: "after" });
    expect(new Set(attempts)).toEqual(new Set(["outage-runner"]));
    expect(attempts.length).toBeGreaterThanOrEqual(2);
  });

  it("with an outage longer than the limit, fails the attempt and retries it as before", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    const attempts: string[] = [];
    const cut = deferred();
    const reached = deferred();
    await startRunner(500, attempts, cut.promise, reached.resolve);
    await reached.promise;
    proxy.outage(2_500);
    cut.resolve();
    const done = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "completed" && current;
    }, 30_000, 100);
    expect(done.retryCount).toBeGreaterThanOrEqual(1);
  });
});
