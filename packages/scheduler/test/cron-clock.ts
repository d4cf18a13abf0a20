import { type Database, scheduleRuns } from "@memcons/models";
import { eq } from "drizzle-orm";
import { type CronScheduler, createCronScheduler } from "../src/index.js";
import { waitFor } from "./helpers.js";

const MINUTE = 60_000;

/** Outcome of driving cron instances with a fake clock. */
export interface ClockDrive {
  /** Times the task ran, across all instances. */
  runs: number;
  /** schedule_runs rows of the schedule. */
  rows: number;
  /** Slot times the catch-up fired after a simulated outage (expected: exactly one). */
  catchUpSlots: string[];
  /** Task runs after an outage longer than the catch-up window (expected: none). */
  runsAfterOldOutage: number;
}

/**
 * Drives one cron instance per database handle with a shared injected clock through `slots` slots of
 * a 10-minute schedule, then simulates an outage within and one beyond the catch-up window.
 */
export async function driveCronInstances(handles: Database[], name: string, slots: number): Promise<ClockDrive> {
  const first = Date.UTC(2026, 6, 1, 0, 0);
  let clock = first - 30_000;
  const fired: string[] = [];
  const create = (db: Database, i: number, catchUpWindowMs: number): CronScheduler =>
    createCronScheduler({
      db,
      name,
      workerId: `clock-${i}`,
      schedule: "*/10 * * * *",
      now: () => new Date(clock),
      checkIntervalMs: 5,
      catchUpWindowMs,
      task: async (slot) => {
        fired.push(slot.toISOString());
        return {};
      },
    });
  const count = async () =>
    (await handles[0]!.orm.select().from(scheduleRuns).where(eq(scheduleRuns.scheduleName, name))).length;

  let instances = handles.map((db, i) => create(db, i, 0));
  await Promise.all(instances.map((c) => c.start()));
  for (let i = 0; i < slots; i++) {
    clock = first + i * 10 * MINUTE;
    await waitFor(async () => (await count()) === i + 1, 10_000, 5);
  }
  await Promise.all(instances.map((c) => c.stop()));
  const runs = fired.length;

  // Outage: every instance is down for three slots, then all come back 5 minutes after the last one.
  clock = first + (slots - 1 + 3) * 10 * MINUTE + 5 * MINUTE;
  instances = handles.map((db, i) => create(db, i, 30 * MINUTE));
  await Promise.all(instances.map((c) => c.start()));
  await Promise.all(instances.map((c) => c.stop()));
  const catchUpSlots = fired.slice(runs);

  // An outage beyond the window: a 6-hourly schedule whose last slot (06:00) is 2 h old at start.
  const before = fired.length;
  clock = Date.UTC(2026, 7, 1, 8, 0);
  instances = handles.map((db, i) =>
    createCronScheduler({
      db,
      name: `${name}-late`,
      workerId: `late-${i}`,
      schedule: "0 */6 * * *",
      now: () => new Date(clock),
      catchUpWindowMs: 30 * MINUTE,
      task: async (slot) => {
        fired.push(slot.toISOString());
        return {};
      },
    }),
  );
  await Promise.all(instances.map((c) => c.start()));
  await Promise.all(instances.map((c) => c.stop()));
  return { runs, rows: await count(), catchUpSlots, runsAfterOldOutage: fired.length - before };
}
