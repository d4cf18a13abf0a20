import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Database, consolidationJobs, createDatabase, scheduleRuns, uuidArray } from "@memcons/models";
import { type TestDatabase, createTestDatabase, planNodes, preferredTarget } from "@memcons/models/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  JOB_WAKEUP_CHANNEL,
  type JobRunner,
  cancelJob,
  claimJobs,
  createCronScheduler,
  createJobRunner,
  triggerConsolidation,
} from "../src/index.js";
import { claimStatement } from "../src/queue/claim.js";
import { driveCronInstances } from "./cron-clock.js";
import { createProject, deferred, getJob, insertMemories, insertPendingJobs, untilAborted, waitFor } from "./helpers.js";

const url = process.env.DATABASE_URL;

describe.runIf(url)("on a real PostgreSQL server", () => {
  let db: TestDatabase;
  const handles: Database[] = [];
  const runners: JobRunner[] = [];
  const connect = async () => {
    const handle = await createDatabase(db.url, { maxConnections: 4 });
    handles.push(handle);
    return handle;
  };

  beforeAll(async () => {
    db = await createTestDatabase(preferredTarget(url));
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop({ graceMs: 100 })));
    await Promise.all(handles.splice(0).map((handle) => handle.close()));
  });
  afterAll(async () => {
    await db.close();
  });

  it("4 runners on separate connections complete 2,000 jobs exactly once", async () => {
    const ids = await insertPendingJobs(db, 2_000);
    const runs = new Map<string, number>();
    const byRunner = new Map<string, number>();
    for (let i = 0; i < 4; i++) {
      const runner = createJobRunner({
        db: await connect(),
        workerId: `bulk-${i}`,
        concurrency: 8,
        pollIntervalMs: 200,
        handlers: { consolidation: async (job) => {
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          byRunner.set(`bulk-${i}`, (byRunner.get(`bulk-${i}`) ?? 0) + 1);
        } },
      });
      runners.push(runner);
      await runner.start();
    }
    await db.notify(JOB_WAKEUP_CHANNEL, "new:bulk");
    await waitFor(async () => {
      const [row] = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from memcons.consolidation_jobs where status = 'completed'`,
      );
      return row!.n === ids.length;
    }, 60_000, 100);
    expect(runs.size).toBe(ids.length);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    const [stats] = await db.rows<{ completed: number; retried: number; locked: number }>(sql`
      select count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where retry_count > 0)::int as retried,
             count(*) filter (where locked_by is not null)::int as locked
        from memcons.consolidation_jobs where id in ${ids}`);
    expect(stats).toEqual({ completed: 2_000, retried: 0, locked: 0 });
    expect([...byRunner.values()].reduce((a, b) => a + b, 0)).toBe(2_000);
  }, 90_000);

  it("a runner that stops heartbeating loses its job to another runner after the lease", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    const crashedHandle = await createDatabase(db.url, { maxConnections: 2 });
    const running = deferred();
    const crashed = createJobRunner({
      db: crashedHandle,
      workerId: "crashed",
      leaseMs: 500,
      pollIntervalMs: 50,
      handlers: { consolidation: async (_job, ctx) => {
        running.resolve();
        await untilAborted(ctx.signal);
      } },
    });
    runners.push(crashed);
    await crashed.start();
    await running.promise;
    expect((await getJob(db, job.id)).lockedBy).toBe("crashed");
    await crashedHandle.close(); // the process "dies": no more heartbeats
    const survivorRuns: string[] = [];
    const survivor = createJobRunner({
      db: await connect(),
      workerId: "survivor",
      leaseMs: 500,
      pollIntervalMs: 50,
      handlers: { consolidation: async (claimed) => {
        survivorRuns.push(claimed.id);
      } },
    });
    runners.push(survivor);
    await survivor.start();
    const done = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "completed" && current;
    }, 10_000);
    expect(survivorRuns).toEqual([job.id]);
    expect(done.retryCount).toBe(1);
    expect(done.errorMessage).toBeNull();
  });

  it("a lease expiring with no retries left fails the job", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual", maxRetries: 0 });
    await db.orm
      .update(consolidationJobs)
      .set({ status: "running", lockedBy: "ghost", lockedUntil: new Date(Date.now() - 1_000) })
      .where(eq(consolidationJobs.id, job.id));
    const runner = createJobRunner({ db: await connect(), leaseMs: 500, pollIntervalMs: 50, handlers: { consolidation: async () => {} } });
    runners.push(runner);
    await runner.start();
    const failed = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "failed" && current;
    });
    expect(failed.errorMessage).toMatch(/Lease of worker ghost expired/);
    expect(failed.retryCount).toBe(0);
  });

  it("20 concurrent manual triggers from 4 connections create one job per project", async () => {
    const connections = await Promise.all([0, 1, 2, 3].map(() => connect()));
    for (let round = 0; round < 5; round++) {
      const projectId = await createProject(db);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          triggerConsolidation(connections[i % 4]!, { projectId, triggerType: "manual", triggeredBy: `user-${i}` }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      const rows = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, projectId));
      expect(rows).toHaveLength(1);
    }
  });

  it("stop() releases a running job that another runner then completes", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    const running = deferred();
    const first = createJobRunner({
      db: await connect(),
      workerId: "leaving",
      pollIntervalMs: 50,
      handlers: { consolidation: async (_job, ctx) => {
        running.resolve();
        await untilAborted(ctx.signal);
      } },
    });
    await first.start();
    await running.promise;
    await first.stop({ graceMs: 100 });
    expect(await getJob(db, job.id)).toMatchObject({ status: "pending", lockedBy: null, retryCount: 0 });
    const second = createJobRunner({ db: await connect(), workerId: "staying", pollIntervalMs: 50, handlers: { consolidation: async () => {} } });
    runners.push(second);
    await second.start();
    const done = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "completed" && current;
    });
    expect(done.retryCount).toBe(0);
  });

  it("a cancel requested on one connection aborts the job on a runner of another", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    const running = deferred();
    const runner = createJobRunner({
      db: await connect(),
      pollIntervalMs: 50,
      handlers: { consolidation: async (_job, ctx) => {
        running.resolve();
        await untilAborted(ctx.signal);
      } },
    });
    runners.push(runner);
    await runner.start();
    await running.promise;
    await cancelJob(await connect(), job.id);
    const cancelled = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "cancelled" && current;
    }, 5_000); // the NOTIFY path; the heartbeat alone would take 10 s
    expect(cancelled.lockedBy).toBeNull();
  });

  it("4 cron instances on separate connections fire each of 50 slots once", async () => {
    let runs = 0;
    const instances = await Promise.all(
      [0, 1, 2, 3].map(async (i) =>
        createCronScheduler({
          db: await connect(),
          name: "pg-fifty",
          workerId: `cron-${i}`,
          schedule: "0 * * * *",
          task: async () => {
            runs += 1;
            return {};
          },
        }),
      ),
    );
    let fired = 0;
    for (let i = 0; i < 50; i++) {
      const slot = new Date(Date.UTC(2026, 5, 1, i));
      fired += (await Promise.all(instances.map((c) => c.fireSlot(slot)))).filter(Boolean).length;
    }
    expect(fired).toBe(50);
    expect(runs).toBe(50);
    const rows = await db.orm.select().from(scheduleRuns).where(eq(scheduleRuns.scheduleName, "pg-fifty"));
    expect(rows).toHaveLength(50);
  });

  it("4 cron instances on separate connections and an injected clock: 50 slots once, one catch-up, no stale replay", async () => {
    const connections = await Promise.all([0, 1, 2, 3].map(() => connect()));
    const result = await driveCronInstances(connections, "pg-clock", 50);
    expect(result).toEqual({ runs: 50, rows: 51, catchUpSlots: ["2026-07-01T08:40:00.000Z"], runsAfterOldOutage: 0 });
  });

  it("the threshold count is served by the partial index", async () => {
    const projects = await Promise.all(Array.from({ length: 20 }, () => createProject(db)));
    for (const projectId of projects) await insertMemories(db, projectId, 500);
    // As after earlier jobs: most of each project's memories were already examined.
    await db.rows(sql`update memcons.task_memories set is_consolidated = true
      where id not in (select id from memcons.task_memories order by id limit 200)`);
    await db.rows(sql`analyze memcons.task_memories`);
    const plan = await db.rows<Record<string, string>>(sql`explain
      select count(*) from (select 1 from memcons.task_memories m where m.project_id = ${projects[0]}
        and not m.is_archived and not m.is_duplicate and not m.is_consolidated limit 100) s`);
    const text = plan.map((row) => Object.values(row).join(" ")).join("\n");
    expect(text).toMatch(/task_memories_project_unconsolidated_idx/);
  });

  it("a claim at depth 100,000 reads only the rows it claims, in index order, with no sort", async () => {
    const before = await jobCounts(db);
    await insertPendingJobs(db, 100_000); // one statement: every job shares run_at and created_at
    await db.rows(sql`vacuum analyze memcons.consolidation_jobs`);
    for (const limit of [1, 16, 64]) {
      const [row] = await db.rows<{ "QUERY PLAN": unknown }>(
        sql`explain (analyze, format json) ${claimStatement({ workerId: "explain", limit, leaseMs: 60_000 })}`,
      );
      const nodes = planNodes(row!["QUERY PLAN"]);
      const plan = JSON.stringify(nodes.map(({ Plans: _children, ...node }) => node));
      expect(nodes.filter((node) => String(node["Node Type"]).includes("Sort")), plan).toEqual([]);
      const scans = nodes.filter(
        (node) =>
          String(node["Node Type"]).endsWith("Scan") &&
          node["Relation Name"] === "consolidation_jobs" &&
          node["Index Name"] !== "consolidation_jobs_pkey",
      );
      expect(scans.map((node) => [node["Node Type"], node["Index Name"]]), plan).toEqual([
        ["Index Scan", "consolidation_jobs_claim_idx"],
      ]);
      expect(Number(scans[0]!["Actual Rows"]) * Number(scans[0]!["Actual Loops"]), plan).toBe(limit);
    }
    expect(await jobCounts(db)).toEqual({ running: before.running + 81, pending: before.pending + 100_000 - 81 });
  }, 120_000);

  it("claims the jobs one statement queued in the order it wrote them", async () => {
    const own = await createTestDatabase(preferredTarget(url));
    try {
      // One statement: every job shares run_at and created_at; only the insertion order tells them apart.
      await own.rows(sql`
        with p as (insert into memcons.projects (name)
                   select 'ordered ' || lpad(g::text, 3, '0') from generate_series(1, 200) g order by g returning id, name)
        insert into memcons.consolidation_jobs (project_id, trigger_type) select id, 'manual' from p order by name`);
      const claimedNames: string[] = [];
      for (let batch = 0; batch < 4; batch++) {
        const claimed = await claimJobs(own, { workerId: "order", limit: 50, leaseMs: 60_000 });
        const names = await own.rows<{ name: string }>(
          sql`select name from memcons.projects where id = any(${uuidArray(claimed.map((c) => c.job.projectId))}) order by name`,
        );
        claimedNames.push(...names.map((row) => row.name));
      }
      expect(claimedNames).toEqual(Array.from({ length: 200 }, (_, k) => `ordered ${String(k + 1).padStart(3, "0")}`));
    } finally {
      await own.close();
    }
  });

  it("plans a claim once per connection and reuses that plan, at depth", async () => {
    await insertPendingJobs(db, 2_000);
    await db.rows(sql`vacuum analyze memcons.consolidation_jobs`);
    const handle = await createDatabase(db.url, { maxConnections: 1 });
    handles.push(handle);
    for (let i = 0; i < 8; i++) expect(await claimJobs(handle, { workerId: "plan-reuse", limit: 2, leaseMs: 60_000 })).toHaveLength(2);
    const plans = await handle.rows<{ generic_plans: string; custom_plans: string }>(
      sql`select generic_plans::text, custom_plans::text from pg_prepared_statements where statement like '%skip locked%'`,
    );
    // PostgreSQL tries five custom plans, then keeps the generic one when it costs no more: no planning per claim.
    expect(plans).toEqual([{ generic_plans: "3", custom_plans: "5" }]);
  }, 60_000);

  it("leaves no timers or connections behind: a process using it exits by itself", () => {
    const script = fileURLToPath(new URL("./fixtures/exit-check.ts", import.meta.url));
    for (const driver of ["postgres", "pglite"]) {
      const result = spawnSync(process.execPath, ["--import", "tsx", script, driver, url ?? ""], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        timeout: 30_000,
        encoding: "utf8",
      });
      expect(result.error).toBeUndefined();
      expect(result.stderr).toBe("");
      expect(result.stdout).toBe("stopped\n");
      expect(result.status).toBe(0);
    }
  }, 60_000);
});


/** How many jobs are running and pending. */
async function jobCounts(db: Database): Promise<{ running: number; pending: number }> {
  const [counts] = await db.rows<{ running: number; pending: number }>(sql`
    select count(*) filter (where status = 'running')::int as running, count(*) filter (where status = 'pending')::int as pending
      from memcons.consolidation_jobs`);
  return counts!;
}
