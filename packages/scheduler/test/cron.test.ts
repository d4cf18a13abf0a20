import { type Database, scheduleRuns } from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CronScheduler, InvalidScheduleError, createCronScheduler } from "../src/index.js";
import { driveCronInstances } from "./cron-clock.js";
import { createProject, insertMemories, waitFor } from "./helpers.js";

const HOUR = 3_600_000;

describe.each(testTargets(process.env.DATABASE_URL))("cron scheduler on $driver", (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db.close();
  });

  const runsOf = (name: string) => db.orm.select().from(scheduleRuns).where(eq(scheduleRuns.scheduleName, name));

  it("rejects invalid expressions and time zones at construction", () => {
    expect(() => createCronScheduler({ db, schedule: "0 99 * * *" })).toThrow(InvalidScheduleError);
    expect(() => createCronScheduler({ db, schedule: "every day" })).toThrow(/Invalid cron expression 'every day'/);
    const error = (() => {
      try {
        createCronScheduler({ db, timezone: "Mars/Olympus_Mons" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidScheduleError);
    expect(error).toMatchObject({ code: "validation_error", message: "Unknown time zone 'Mars/Olympus_Mons'" });
    expect(() => createCronScheduler({ db, catchUpWindowMs: -1 })).toThrow(/catchUpWindowMs/);
    expect(() => createCronScheduler({ db, checkIntervalMs: Number.NaN })).toThrow(/checkIntervalMs/);
  });

  it("computes the next slot in the configured time zone", () => {
    const now = new Date("2026-03-10T12:00:00Z");
    const utc = createCronScheduler({ db, now: () => now });
    expect(utc.nextRun()?.toISOString()).toBe("2026-03-11T02:00:00.000Z");
    const tokyo = createCronScheduler({ db, timezone: "Asia/Tokyo", now: () => now });
    expect(tokyo.nextRun()?.toISOString()).toBe("2026-03-10T17:00:00.000Z");
  });

  it("fires a slot once, runs the sweep and stores its summary", async () => {
    const projectId = await createProject(db, { threshold: 10 });
    await insertMemories(db, projectId, 11);
    const slot = new Date("2026-01-01T02:00:00Z");
    const a = createCronScheduler({ db, name: "sweep-once", workerId: "a" });
    const b = createCronScheduler({ db, name: "sweep-once", workerId: "b" });
    expect(await a.fireSlot(slot)).toBe(true);
    expect(await b.fireSlot(slot)).toBe(false);
    expect(await a.fireSlot(slot)).toBe(false);
    const [run] = await runsOf("sweep-once");
    expect(run).toMatchObject({ firedBy: "a", slotTime: slot });
    expect(run!.summary).toMatchObject({ projects_queued: 1, jobs_created: 1 });
    expect(run!.summary.results).toEqual([expect.objectContaining({ project_id: projectId, created: true })]);
  });

  it("4 instances driven through 50 slots run exactly 50 tasks", async () => {
    let runs = 0;
    const instances = ["w1", "w2", "w3", "w4"].map((workerId) =>
      createCronScheduler({
        db,
        name: "fifty",
        workerId,
        schedule: "*/5 * * * *",
        task: async () => {
          runs += 1;
          return { worker: workerId };
        },
      }),
    );
    const first = new Date("2026-02-01T00:00:00Z").getTime();
    let fired = 0;
    for (let i = 0; i < 50; i++) {
      const slot = new Date(first + i * 5 * 60_000);
      const outcomes = await Promise.all(instances.map((instance) => instance.fireSlot(slot)));
      fired += outcomes.filter(Boolean).length;
    }
    expect(fired).toBe(50);
    expect(runs).toBe(50);
    expect(await runsOf("fifty")).toHaveLength(50);
  });

  it("4 instances on an injected clock fire 50 slots once each, catch up once, and skip too-old slots", async () => {
    const result = await driveCronInstances([db, db, db, db], "clock-shared", 50);
    expect(result).toEqual({
      runs: 50,
      rows: 51,
      catchUpSlots: ["2026-07-01T08:40:00.000Z"],
      runsAfterOldOutage: 0,
    });
  });

  it("catches up a missed slot once at start, and not a slot older than the window", async () => {
    let runs = 0;
    const task = async () => {
      runs += 1;
      return {};
    };
    // The 02:00 slot was missed; every instance comes back at 03:30 (inside a 2 h window).
    const late = new Date("2026-04-01T03:30:00Z");
    const instances: CronScheduler[] = ["a", "b", "c"].map((workerId) =>
      createCronScheduler({ db, name: "catch-up", workerId, now: () => late, catchUpWindowMs: 2 * HOUR, task }),
    );
    await Promise.all(instances.map((instance) => instance.start()));
    await Promise.all(instances.map((instance) => instance.stop()));
    expect(runs).toBe(1);
    const [run] = await runsOf("catch-up");
    expect(run!.slotTime.toISOString()).toBe("2026-04-01T02:00:00.000Z");
    // Restarting later the same day does not fire the slot again.
    const again = createCronScheduler({ db, name: "catch-up", now: () => late, catchUpWindowMs: 2 * HOUR, task });
    await again.start();
    await again.stop();
    expect(runs).toBe(1);
    // An outage longer than the window: the 2026-04-02 02:00 slot is 5 h old at 07:00 → not fired.
    const tooLate = new Date("2026-04-02T07:00:00Z");
    const old = createCronScheduler({ db, name: "catch-up", now: () => tooLate, catchUpWindowMs: 2 * HOUR, task });
    await old.start();
    await old.stop();
    expect(runs).toBe(1);
    expect(await runsOf("catch-up")).toHaveLength(1);
  });

  it("fires slots on its timer and stops cleanly", async () => {
    const slots: Date[] = [];
    const cron = createCronScheduler({
      db,
      name: "every-second",
      schedule: "* * * * * *",
      catchUpWindowMs: 0,
      task: async (slot) => {
        slots.push(slot);
        return {};
      },
    });
    await cron.start();
    await waitFor(() => slots.length >= 2, 5_000);
    await cron.stop();
    const count = slots.length;
    expect(slots.every((slot) => slot.getMilliseconds() === 0)).toBe(true);
    expect(new Set(slots.map((s) => s.getTime())).size).toBe(count);
    expect(await runsOf("every-second")).toHaveLength(count);
  });

  it("records a failing task in the slot summary", async () => {
    const cron = createCronScheduler({
      db,
      name: "failing",
      task: async () => {
        throw new Error("sweep exploded");
      },
    });
    expect(await cron.fireSlot(new Date("2026-05-01T02:00:00Z"))).toBe(true);
    const [run] = await runsOf("failing");
    expect(run!.summary).toEqual({ error: "sweep exploded" });
  });
});
