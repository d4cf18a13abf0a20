import {
  type Database,
  InvalidOptionsError,
  ProjectNotFoundError,
  ValidationError,
  type RetryPolicy,
  DEFAULT_JOB_RETRY_POLICY,
  backoffDelay,
  consolidationJobs,
} from "@memcons/models";
import { eq } from "drizzle-orm";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type JobEvent,
  type JobHandler,
  type JobHandlers,
  type JobRunner,
  JobTimeoutError,
  LeaseLostError,
  cancelJob,
  claimJobs,
  completeAndClaimJobs,
  createJobRunner,
  reclaimExpiredJobs,
  retryDelayMs,
  subscribeJobEvents,
  triggerConsolidation,
  triggerJob,
} from "../src/index.js";
import { createProject, deferred, getJob, insertPendingJobs, untilAborted, waitFor } from "./helpers.js";

const FAST = { leaseMs: 1_000, pollIntervalMs: 50 } as const;

describe.each(testTargets(process.env.DATABASE_URL))("job runner on $driver", (target) => {
  let db: Database;
  const runners: JobRunner[] = [];
  const start = async (options: Omit<Parameters<typeof createJobRunner>[0], "db">) => {
    const runner = createJobRunner({ db, ...FAST, ...options });
    runners.push(runner);
    await runner.start();
    return runner;
  };
  const trigger = async () => {
    const projectId = await createProject(db);
    return (await triggerConsolidation(db, { projectId, triggerType: "manual" })).job;
  };

  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop({ graceMs: 2_000 })));
  });
  afterAll(async () => {
    await db.close();
  });

  it("runs a job to completion and publishes started, progress and completed", async () => {
    const seen: JobEvent[] = [];
    const notified: JobEvent[] = [];
    const unsubscribe = await subscribeJobEvents(db, (e) => notified.push(e));
    const handler: JobHandler = async (_job, ctx) => {
      await ctx.onProgress({ phase: "detect", progress: 0.5 });
      return { ok: true };
    };
    const runner = await start({ handlers: { consolidation: handler }, pollIntervalMs: 5_000 }); // started only by the wake-up, after "created"
    runner.events.on("event", (e: JobEvent) => seen.push(e));
    const job = await trigger();
    const done = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "completed" && current;
    });
    expect(done).toMatchObject({ progress: 1, lockedBy: null, lockedUntil: null, retryCount: 0, errorMessage: null });
    expect(done.startedAt).toBeInstanceOf(Date);
    expect(done.completedAt).toBeInstanceOf(Date);
    expect(done.durationSeconds).toBeGreaterThanOrEqual(0);
    // The row commits first; the NOTIFY and the local event follow.
    await waitFor(() => notified.some((e) => e.job_id === job.id && e.type === "completed"));
    await waitFor(() => seen.some((e) => e.job_id === job.id && e.type === "completed"));
    const types = (events: JobEvent[]) => events.filter((e) => e.job_id === job.id).map((e) => e.type);
    expect(types(seen)).toEqual(["started", "progress", "completed"]);
    expect(types(notified)).toEqual(["created", "started", "progress", "completed"]);
    expect(seen.find((e) => e.type === "progress")).toMatchObject({ phase: "detect", progress: 0.5, status: "running" });
    await unsubscribe();
  });

  it("retries with the policy's backoff, then completes with retry_count 2", async () => {
    const policy: RetryPolicy = { retries: 3, factor: 2, minTimeoutMs: 150, maxTimeoutMs: 10_000, jitter: false };
    const failedAt: number[] = [];
    const startedAt: number[] = [];
    const handler: JobHandler = async () => {
      startedAt.push(Date.now());
      if (startedAt.length <= 2) {
        failedAt.push(Date.now());
        throw new Error(`flaky ${startedAt.length}`);
      }
    };
    const retrying: Array<{ runAt: number; retryCount: number }> = [];
    const runner = await start({ handlers: { consolidation: handler }, retryPolicy: policy, pollIntervalMs: 5_000 });
    runner.events.on("event", (e: JobEvent) => {
      if (e.type === "retrying") void getJob(db, e.job_id).then((j) => retrying.push({ runAt: j.runAt.getTime(), retryCount: j.retryCount }));
    });
    const job = await trigger();
    const done = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "completed" && current;
    });
    expect(done.retryCount).toBe(2);
    expect(done.errorMessage).toBeNull();
    expect(startedAt).toHaveLength(3);
    for (const attempt of [1, 2]) {
      const expected = backoffDelay(attempt, policy);
      expect(expected).toBe(150 * 2 ** (attempt - 1));
      const gap = startedAt[attempt]! - failedAt[attempt - 1]!;
      expect(gap).toBeGreaterThanOrEqual(expected - 20);
      expect(gap).toBeLessThan(expected + 2_000); // woken by run_at, not by the 5 s poll
    }
    await waitFor(() => retrying.length === 2);
    expect(retrying.map((r) => r.retryCount).sort()).toEqual([1, 2]);
  });

  it("fails at once on a permanent error and after max_retries on transient ones", async () => {
    const permanent = await trigger();
    const runner = await start({
      handlers: { consolidation: async (job) => {
        if (job.id === permanent.id) throw new InvalidOptionsError("bad options", []);
        throw new Error("always broken");
      } },
      retryPolicy: { retries: 1, factor: 1, minTimeoutMs: 10, maxTimeoutMs: 10, jitter: false },
    });
    const failed = await waitFor(async () => {
      const current = await getJob(db, permanent.id);
      return current.status === "failed" && current;
    });
    expect(failed).toMatchObject({ retryCount: 0, errorMessage: "bad options", lockedBy: null });
    const flaky = await trigger();
    const exhausted = await waitFor(async () => {
      const current = await getJob(db, flaky.id);
      return current.status === "failed" && current;
    });
    expect(exhausted).toMatchObject({ retryCount: 3, maxRetries: 3, errorMessage: "always broken" });
    await waitFor(() => runner.runningJobIds().length === 0); // the row commits before the slot frees
  });

  it("aborts a job at its timeout and counts a failed attempt", async () => {
    let reason: unknown;
    const job = await trigger();
    await start({
      handlers: { consolidation: async (_job, ctx) => {
        try {
          await untilAborted(ctx.signal);
        } catch (error) {
          reason = error;
          throw error;
        }
      } },
      jobTimeoutMs: 100,
      retryPolicy: { retries: 3, factor: 1, minTimeoutMs: 60_000, maxTimeoutMs: 60_000, jitter: false },
    });
    const retried = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.retryCount === 1 && current;
    });
    expect(retried.status).toBe("pending");
    expect(retried.errorMessage).toMatch(/timeout of 100 ms/);
    expect(reason).toBeInstanceOf(JobTimeoutError);
    await cancelJob(db, job.id);
  });

  it("cancels a running job through its signal", async () => {
    const running = deferred();
    const job = await trigger();
    const runner = await start({
      handlers: { consolidation: async (_job, ctx) => {
        running.resolve();
        await untilAborted(ctx.signal);
      } },
    });
    await running.promise;
    expect(runner.runningJobIds()).toEqual([job.id]);
    await cancelJob(db, job.id);
    const cancelled = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "cancelled" && current;
    });
    expect(cancelled.completedAt).toBeInstanceOf(Date);
    expect(cancelled.lockedBy).toBeNull();
  });

  it("stop() lets a job finish within the grace period", async () => {
    const running = deferred();
    const finish = deferred();
    const job = await trigger();
    const runner = await start({
      handlers: { consolidation: async () => {
        running.resolve();
        await finish.promise;
      } },
    });
    await running.promise;
    const stopping = runner.stop({ graceMs: 5_000 });
    setTimeout(() => finish.resolve(), 100);
    await stopping;
    expect((await getJob(db, job.id)).status).toBe("completed");
  });

  it("stop() releases a job that outlives the grace period, and another runner completes it", async () => {
    const running = deferred();
    const job = await trigger();
    const first = await start({
      handlers: { consolidation: async (_job, ctx) => {
        running.resolve();
        await untilAborted(ctx.signal);
      } },
    });
    await running.promise;
    await first.stop({ graceMs: 50 });
    const released = await getJob(db, job.id);
    expect(released).toMatchObject({ status: "pending", retryCount: 0, lockedBy: null });
    await start({ handlers: { consolidation: async () => undefined } });
    const done = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "completed" && current;
    });
    expect(done.retryCount).toBe(0);
  });

  it("aborts a handler whose lease was taken over and discards its outcome", async () => {
    const running = deferred();
    let reason: unknown;
    const job = await trigger();
    await start({
      leaseMs: 300,
      heartbeatMs: 30,
      handlers: { consolidation: async (_job, ctx) => {
        running.resolve();
        try {
          await untilAborted(ctx.signal);
        } catch (error) {
          reason = error;
        }
      } },
    });
    await running.promise;
    await db.orm.update(consolidationJobs).set({ lockedBy: "thief" }).where(eq(consolidationJobs.id, job.id));
    await waitFor(() => reason !== undefined);
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect(await getJob(db, job.id)).toMatchObject({ status: "running", lockedBy: "thief" });
    await db.orm.update(consolidationJobs).set({ status: "cancelled" }).where(eq(consolidationJobs.id, job.id));
  });

  it("reclaims expired leases: cancel requested → cancelled, retries left → pending, none left → failed", async () => {
    const past = new Date(Date.now() - 5_000);
    const [a, b, c] = [await trigger(), await trigger(), await trigger()];
    const expire = (id: string, values: Partial<typeof consolidationJobs.$inferInsert>) =>
      db.orm
        .update(consolidationJobs)
        .set({ status: "running", lockedBy: "dead", lockedUntil: past, ...values })
        .where(eq(consolidationJobs.id, id));
    await expire(a.id, { cancelRequestedAt: past });
    await expire(b.id, { retryCount: 1 });
    await expire(c.id, { retryCount: 3 });
    const reclaimed = await reclaimExpiredJobs(db);
    const byId = new Map(reclaimed.map((item) => [item.job.id, item]));
    expect(byId.get(a.id)?.job).toMatchObject({ status: "cancelled", retryCount: 0, lockedBy: null });
    expect(byId.get(a.id)?.event?.type).toBe("cancelled");
    expect(byId.get(b.id)?.job).toMatchObject({ status: "pending", retryCount: 2, lockedBy: null, lockedUntil: null });
    expect(byId.get(b.id)?.event).toMatchObject({ type: "retrying", status: "pending", job_id: b.id });
    expect(byId.get(c.id)?.job).toMatchObject({ status: "failed", retryCount: 3 });
    expect(byId.get(c.id)?.job.errorMessage).toMatch(/^Lease of worker dead expired at .* \(worker stopped heartbeating\)$/);
    expect(await reclaimExpiredJobs(db)).toEqual([]);
    await cancelJob(db, b.id);
  });

  it("gives up on a handler that ignores its abort after abortWaitMs (timeout and stop)", async () => {
    const hung = deferred();
    const job = await trigger();
    const runner = await start({
      handlers: { consolidation: () => hung.promise },
      jobTimeoutMs: 100,
      abortWaitMs: 100,
      retryPolicy: { retries: 3, factor: 1, minTimeoutMs: 60_000, maxTimeoutMs: 60_000, jitter: false },
    });
    const retried = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.retryCount === 1 && current;
    });
    expect(retried).toMatchObject({ status: "pending", lockedBy: null });
    expect(retried.errorMessage).toMatch(/timeout/);
    await waitFor(() => runner.runningJobIds().length === 0); // the row commits before the slot frees
    await db.orm.update(consolidationJobs).set({ runAt: new Date() }).where(eq(consolidationJobs.id, job.id));
    await runner.stop({ graceMs: 1 });
    const other = await trigger();
    const stopping = await start({ handlers: { consolidation: () => hung.promise }, abortWaitMs: 100, concurrency: 2 });
    await waitFor(() => stopping.runningJobIds().length === 2);
    await stopping.stop({ graceMs: 50 });
    for (const id of [job.id, other.id]) {
      expect(await getJob(db, id)).toMatchObject({ status: "pending", lockedBy: null });
    }
    expect((await getJob(db, job.id)).retryCount).toBe(1);
    expect((await getJob(db, other.id)).retryCount).toBe(0);
    hung.resolve();
    await cancelJob(db, job.id);
    await cancelJob(db, other.id);
  });

  it("heartbeats keep a job that outlives its lease from being reclaimed", async () => {
    const calls: string[] = [];
    const slow: JobHandler = async (job) => {
      calls.push(job.id);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
    };
    const options = { leaseMs: 300, heartbeatMs: 80, pollIntervalMs: 30, handlers: { consolidation: slow } };
    await start({ ...options, workerId: "holder" });
    const job = await trigger();
    await waitFor(() => calls.length === 1);
    await start({ ...options, workerId: "watcher" });
    const done = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "completed" && current;
    });
    expect(done.retryCount).toBe(0);
    expect(calls).toEqual([job.id]);
  });

  it("sees a cancel request through its heartbeat when no wake-up arrives", async () => {
    const running = deferred();
    const job = await trigger();
    await start({
      leaseMs: 600,
      heartbeatMs: 50,
      handlers: { consolidation: async (_job, ctx) => {
        running.resolve();
        await untilAborted(ctx.signal);
      } },
    });
    await running.promise;
    // Set the flag directly, without cancelJob's NOTIFY: only the heartbeat can notice it.
    await db.orm.update(consolidationJobs).set({ cancelRequestedAt: new Date() }).where(eq(consolidationJobs.id, job.id));
    const cancelled = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "cancelled" && current;
    });
    expect(cancelled.lockedBy).toBeNull();
  });

  it("stop() cancels instead of releasing a job whose cancel was requested", async () => {
    const running = deferred();
    const job = await trigger();
    const runner = await start({
      heartbeatMs: 300,
      handlers: { consolidation: async () => {
        running.resolve();
        await new Promise(() => {}); // ignores every abort
      } },
      abortWaitMs: 50,
    });
    await running.promise;
    await db.orm.update(consolidationJobs).set({ cancelRequestedAt: new Date() }).where(eq(consolidationJobs.id, job.id));
    const events: JobEvent[] = [];
    runner.events.on("event", (e: JobEvent) => events.push(e));
    await runner.stop({ graceMs: 10 });
    expect(await getJob(db, job.id)).toMatchObject({ status: "cancelled", lockedBy: null });
    expect(events.map((e) => e.type)).toEqual(["cancelled"]);
  });

  it("claims due jobs oldest run_at first and leaves future ones", async () => {
    const [late, early, future] = [await trigger(), await trigger(), await trigger()];
    const at = (id: string, runAt: Date) =>
      db.orm.update(consolidationJobs).set({ runAt }).where(eq(consolidationJobs.id, id));
    await at(late.id, new Date("2000-01-02T00:00:00Z")); // older than anything else in this database
    await at(early.id, new Date("2000-01-01T00:00:00Z"));
    await at(future.id, new Date(Date.now() + 60_000));
    const first = await claimJobs(db, { workerId: "order", limit: 1, leaseMs: 1_000 });
    const rest = await claimJobs(db, { workerId: "order", limit: 1, leaseMs: 1_000 });
    expect(first.map((c) => c.job.id)).toEqual([early.id]);
    expect(rest.map((c) => c.job.id)).toEqual([late.id]);
    expect(first[0]!.job).toMatchObject({ status: "running", lockedBy: "order" });
    expect(first[0]!.event).toMatchObject({ type: "started", status: "running", job_id: early.id });
    expect(retryDelayMs({ retryCount: 1 }, { policy: DEFAULT_JOB_RETRY_POLICY, random: () => 0.5 })).toBe(
      backoffDelay(2, DEFAULT_JOB_RETRY_POLICY, () => 0.5),
    );
    for (const id of [late.id, early.id]) {
      await db.orm.update(consolidationJobs).set({ status: "cancelled" }).where(eq(consolidationJobs.id, id));
    }
    await cancelJob(db, future.id);
  });

  it("refills the slots of finished jobs in the statement that records them, never beyond its concurrency", async () => {
    const jobIds = await insertPendingJobs(db, 40);
    let running = 0;
    let peak = 0;
    const started: string[] = [];
    const events: JobEvent[] = [];
    const runner = await start({
      concurrency: 3,
      pollIntervalMs: 60_000, // no poll: after the first claim only completion writes can claim
      handlers: {
        consolidation: async (job) => {
          running += 1;
          peak = Math.max(peak, running);
          started.push(job.id);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running -= 1;
        },
      },
    });
    runner.events.on("event", (event: JobEvent) => events.push(event));
    await waitFor(() => events.filter((e) => e.type === "completed").length === 40, 20_000);
    expect(peak).toBeLessThanOrEqual(3);
    expect(new Set(started)).toEqual(new Set(jobIds));
    for (const id of jobIds) expect((await getJob(db, id)).status).toBe("completed");
    expect(events.filter((e) => e.type === "started")).toHaveLength(40);
  });

  it("completeAndClaimJobs completes held jobs and claims due ones in one statement", async () => {
    const [second, third] = await insertPendingJobs(db, 2);
    const held = await claimJobs(db, { workerId: "w-combined", limit: 1, leaseMs: 60_000 });
    const first = held[0]?.job.id as string;
    const { completed, claimed } = await completeAndClaimJobs(db, [first], "w-combined", {
      workerId: "w-combined",
      limit: 500,
      leaseMs: 60_000,
    });
    expect(completed.map((c) => [c.job.id, c.job.status, c.event?.type])).toEqual([[first, "completed", "completed"]]);
    expect(claimed.map((c) => c.job.id)).toEqual(expect.arrayContaining([second, third].filter((id) => id !== first)));
    expect(claimed.every((c) => c.job.status === "running" && c.job.lockedBy === "w-combined" && c.event?.type === "started")).toBe(true);
    // A job this worker does not hold is left alone; with nothing due, nothing is claimed.
    const again = await completeAndClaimJobs(db, [first], "w-combined", { workerId: "w-combined", limit: 5, leaseMs: 60_000 });
    expect(again).toEqual({ completed: [], claimed: [] });
    // An id that is not a UUID is refused before anything is written: the due job stays pending.
    const [waiting] = await insertPendingJobs(db, 1);
    const options = { workerId: "w-combined", limit: 5, leaseMs: 60_000 };
    await expect(completeAndClaimJobs(db, ["not-a-job"], "w-combined", options)).rejects.toBeInstanceOf(ValidationError);
    expect((await getJob(db, waiting as string)).status).toBe("pending");
    // So is a limit that is not a number (it is written into the claim's text).
    for (const limit of [Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(claimJobs(db, { ...options, limit })).rejects.toBeInstanceOf(ValidationError);
    }
    expect((await getJob(db, waiting as string)).status).toBe("pending");
    await db.orm.delete(consolidationJobs).where(eq(consolidationJobs.id, waiting as string));
  });

  it("rejects invalid options", () => {
    const handlers = { consolidation: async () => undefined };
    expect(() => createJobRunner({ db, handlers, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => createJobRunner({ db, handlers, leaseMs: -1 })).toThrow(/leaseMs/);
    expect(() => createJobRunner({ db, handlers, leaseMs: 1_000, heartbeatMs: 1_000 })).toThrow(/shorter than leaseMs/);
  });

  it("dispatches each job to the handler of its kind; one active job per (project, kind)", async () => {
    const projectId = await createProject(db);
    const consolidation = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    const reembed = await triggerJob(db, { projectId, kind: "reembed", triggerType: "manual", options: { model: "m2" } });
    expect(reembed).toMatchObject({ created: true, job: { kind: "reembed", options: { model: "m2" } } });
    expect(consolidation).toMatchObject({ created: true, job: { kind: "consolidation" } });
    const again = await triggerJob(db, { projectId, kind: "reembed", triggerType: "manual" });
    expect(again).toMatchObject({ created: false, job: { id: reembed.job.id } });
    const seen: Array<[string, string]> = [];
    await start({
      handlers: {
        consolidation: async (job) => void seen.push(["consolidation", job.id]),
        reembed: async (job) => void seen.push(["reembed", job.id]),
      },
    });
    for (const { job } of [consolidation, reembed]) {
      await waitFor(async () => (await getJob(db, job.id)).status === "completed");
    }
    expect(seen).toEqual(
      expect.arrayContaining([
        ["consolidation", consolidation.job.id],
        ["reembed", reembed.job.id],
      ]),
    );
  });

  it("fails a job whose kind has no handler at once, naming the kind", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerJob(db, { projectId, kind: "unregistered", triggerType: "manual" });
    await start({ handlers: { consolidation: async () => undefined } });
    const failed = await waitFor(async () => {
      const current = await getJob(db, job.id);
      return current.status === "failed" && current;
    });
    expect(failed.retryCount).toBe(0);
    expect(failed.errorMessage).toBe(
      'No handler is registered for job kind "unregistered" (this runner handles: consolidation)',
    );
  });

  it("rejects malformed kinds and handlers with a ValidationError", async () => {
    const projectId = await createProject(db);
    await expect(triggerJob(db, { projectId, kind: "Re Embed", triggerType: "manual" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(triggerJob(db, { projectId, kind: "reembed", triggerType: "manual", options: [1] })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      triggerJob(db, { projectId: "00000000-0000-4000-8000-000000000000", kind: "reembed", triggerType: "manual" }),
    ).rejects.toBeInstanceOf(ProjectNotFoundError);
    expect(() => createJobRunner({ db, handlers: { "Not A Kind": async () => undefined } })).toThrow(ValidationError);
    const notAFunction = { consolidation: "run" } as unknown as JobHandlers;
    expect(() => createJobRunner({ db, handlers: notAFunction })).toThrow(/must be a function/);
  });
});
