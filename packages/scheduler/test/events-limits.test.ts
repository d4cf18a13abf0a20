import { type Database, ValidationError } from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapWithConcurrency } from "../src/pool.js";
import {
  InvalidScheduleError,
  type JobEvent,
  checkThresholdTrigger,
  claimJobs,
  createJobRunner,
  packJobEvents,
  parseJobEvent,
  parseJobEvents,
  publishJobEvent,
  runScheduledConsolidation,
  subscribeJobEvents,
  triggerConsolidation,
} from "../src/index.js";
import { createProject, getJob, waitFor } from "./helpers.js";

describe.each(testTargets(process.env.DATABASE_URL))("events and limits on $driver", (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db.close();
  });

  it("keeps NOTIFY payloads small when a job fails with a huge error message", async () => {
    const received: JobEvent[] = [];
    const unsubscribe = await subscribeJobEvents(db, (e) => received.push(e));
    const runner = createJobRunner({
      db,
      pollIntervalMs: 50,
      handlers: { consolidation: async () => {
        throw new InvalidScheduleError("😀".repeat(20_000), "schedule");
      } },
    });
    await runner.start();
    try {
      const projectId = await createProject(db);
      const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
      const failed = await waitFor(() => received.find((e) => e.job_id === job.id && e.type === "failed"));
      expect(Array.from(failed.error_message ?? "")).toHaveLength(1_000);
      expect(Buffer.byteLength(JSON.stringify(failed))).toBeLessThan(8_000);
      expect(Array.from((await getJob(db, job.id)).errorMessage ?? "")).toHaveLength(4_000);
    } finally {
      await runner.stop();
      await unsubscribe();
    }
  });

  it("publishJobEvent bounds the error message, emits locally and NOTIFYs", async () => {
    const received: JobEvent[] = [];
    const unsubscribe = await subscribeJobEvents(db, (e) => received.push(e));
    const local: JobEvent[] = [];
    const emitter = new (await import("node:events")).EventEmitter();
    emitter.on("event", (e: JobEvent) => local.push(e));
    const event: JobEvent = {
      type: "failed",
      job_id: "00000000-0000-4000-8000-000000000001",
      project_id: "00000000-0000-4000-8000-000000000002",
      status: "failed",
      progress: 0.5,
      at: new Date().toISOString(),
      error_message: "x".repeat(9_000),
    };
    await publishJobEvent(db, event, { emitter });
    await waitFor(() => received.length === 1);
    expect(received[0]).toEqual({ ...event, error_message: "x".repeat(1_000) });
    expect(local).toEqual(received);
    expect(parseJobEvent("not json")).toBeNull();
    expect(parseJobEvent('{"hello":1}')).toBeNull();
    await unsubscribe();
  });

  it("packs the events of one statement into few NOTIFY payloads, each under 8000 bytes, delivered in order", async () => {
    const received: JobEvent[] = [];
    const unsubscribe = await subscribeJobEvents(db, (e) => received.push(e));
    const projectIds = await Promise.all(Array.from({ length: 60 }, () => createProject(db)));
    const jobs = [];
    for (const projectId of projectIds) jobs.push((await triggerConsolidation(db, { projectId, triggerType: "manual" })).job);
    await waitFor(() => received.filter((e) => e.type === "created").length === 60);
    received.length = 0;
    const claimed = await claimJobs(db, { workerId: "packer", limit: 60, leaseMs: 60_000 });
    expect(claimed).toHaveLength(60);
    await waitFor(() => received.length === 60);
    expect(received.map((e) => e.job_id)).toEqual(claimed.map((c) => c.job.id));
    expect(received.every((e) => e.type === "started")).toBe(true);
    const payloads = packJobEvents(claimed.map((c) => JSON.stringify(c.event)));
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.length).toBeLessThan(10);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8_000);
    expect(payloads.flatMap(parseJobEvents)).toEqual(claimed.map((c) => c.event));
    expect(parseJobEvents("[1, {\"type\":\"started\",\"job_id\":\"x\"}]")).toEqual([{ type: "started", job_id: "x" }]);
    expect(parseJobEvents("nope")).toEqual([]);
    await unsubscribe();
  });

  it("rejects invalid thresholds and sweep concurrency", async () => {
    const projectId = await createProject(db);
    await expect(checkThresholdTrigger(db, projectId, { defaultThreshold: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(runScheduledConsolidation(db, { concurrency: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(runScheduledConsolidation(db, { defaultThreshold: 1.5 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("mapWithConcurrency", () => {
  it("keeps order and never exceeds the limit", async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n * 3));
      inFlight -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
