import { Cron } from "croner";
import {
  DEFAULT_GLOBAL_SETTINGS,
  type Database,
  type Logger,
  ValidationError,
  noopLogger,
  scheduleRuns,
  withRetry,
} from "@memcons/models";
import { and, eq } from "drizzle-orm";
import { InvalidScheduleError } from "./errors.js";
import { errorMessage } from "./execute.js";
import { defaultWorkerId } from "./runner.js";
import { type SweepResult, runScheduledConsolidation } from "./sweep.js";

/** Options of createCronScheduler. */
export interface CronOptions {
  db: Database;
  /** Cron expression (5 or 6 fields; default "0 2 * * *"). */
  schedule?: string;
  /** IANA time zone of the expression (default "UTC"). */
  timezone?: string;
  /** Schedule name, the key of schedule_runs (default "consolidation"). */
  name?: string;
  /** Recorded as fired_by (default host-pid-random). */
  workerId?: string;
  /** A slot missed by at most this much is fired once at start (default 6 h; 0 disables catch-up). */
  catchUpWindowMs?: number;
  logger?: Logger;
  /** Threshold for projects that set none, passed to the sweep (default 100). */
  defaultThreshold?: number;
  /** Jobs the sweep enqueues in parallel (default 4). */
  sweepConcurrency?: number;
  /** Clock (tests). */
  now?: () => Date;
  /** Longest the timer sleeps before re-reading the clock (default 60 000 ms): slots fire on time
   *  after system sleep or clock changes, and an injected clock drives the schedule in tests. */
  checkIntervalMs?: number;
  /** Work done once per slot (default: runScheduledConsolidation); its result is stored as the summary. */
  task?: (slot: Date) => Promise<Record<string, unknown>>;
}

/** A cron scheduler whose slots run once across all instances sharing a database. */
export interface CronScheduler {
  /** Fires a recently missed slot once (catch-up, in the background), then arms the timer for the next slot. */
  start(): Promise<void>;
  /** Clears the timer and waits for a slot in progress. */
  stop(): Promise<void>;
  /** The next slot after now, or null when the pattern has none. */
  nextRun(): Date | null;
  /** Claims `slot` in schedule_runs and, if this instance got it, runs the task; true when it ran. */
  fireSlot(slot: Date): Promise<boolean>;
}

/** Longest setTimeout delay Node accepts. */
const MAX_TIMER_MS = 2_147_483_647;

/** Creates a cron scheduler; throws InvalidScheduleError for a bad expression or time zone. */
export function createCronScheduler(options: CronOptions): CronScheduler {
  return new CronSchedulerImpl(options);
}

/** Validates a cron expression and time zone; returns the (paused) croner instance. */
export function parseSchedule(schedule: string, timezone: string): Cron {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw new InvalidScheduleError(`Unknown time zone '${timezone}'`, "timezone");
  }
  try {
    return new Cron(schedule, { timezone, paused: true });
  } catch (error) {
    throw new InvalidScheduleError(`Invalid cron expression '${schedule}': ${errorMessage(error)}`, "schedule");
  }
}

class CronSchedulerImpl implements CronScheduler {
  readonly #db: Database;
  readonly #cron: Cron;
  readonly #name: string;
  readonly #workerId: string;
  readonly #catchUpWindowMs: number;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #task: (slot: Date) => Promise<Record<string, unknown>>;
  readonly #checkIntervalMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #inFlight = new Set<Promise<unknown>>();

  constructor(o: CronOptions) {
    this.#db = o.db;
    this.#cron = parseSchedule(
      o.schedule ?? DEFAULT_GLOBAL_SETTINGS.schedule,
      o.timezone ?? DEFAULT_GLOBAL_SETTINGS.timezone,
    );
    this.#name = o.name ?? "consolidation";
    this.#workerId = o.workerId ?? defaultWorkerId();
    this.#catchUpWindowMs = nonNegative("catchUpWindowMs", o.catchUpWindowMs ?? 6 * 60 * 60 * 1000);
    this.#logger = o.logger ?? noopLogger;
    this.#now = o.now ?? (() => new Date());
    this.#checkIntervalMs = Math.min(Math.max(1, nonNegative("checkIntervalMs", o.checkIntervalMs ?? 60_000)), MAX_TIMER_MS);
    const sweep = { defaultThreshold: o.defaultThreshold, concurrency: o.sweepConcurrency, logger: this.#logger };
    this.#task = o.task ?? (async () => sweepSummary(await runScheduledConsolidation(this.#db, sweep)));
  }

  nextRun(): Date | null {
    return this.#cron.nextRun(this.#now());
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const now = this.#now();
    const [last] = this.#cron.previousRuns(1, new Date(now.getTime() + 1));
    if (last && this.#catchUpWindowMs > 0 && now.getTime() - last.getTime() <= this.#catchUpWindowMs) {
      // In the background: start() returns at once; stop() waits for it.
      void this.#track(this.fireSlot(last)).then(
        (fired) => fired && this.#logger.info({ schedule: this.#name, slot: last.toISOString() }, "missed cron slot caught up"),
        (error: unknown) => this.#logger.error({ err: error, slot: last.toISOString() }, "cron catch-up failed"),
      );
    }
    this.#arm();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#inFlight]);
  }

  async fireSlot(slot: Date): Promise<boolean> {
    const claimed = await withRetry(() =>
      this.#db.orm
        .insert(scheduleRuns)
        .values({ scheduleName: this.#name, slotTime: slot, firedBy: this.#workerId })
        .onConflictDoNothing()
        .returning({ slotTime: scheduleRuns.slotTime }),
    );
    if (claimed.length === 0) return false;
    const log = { schedule: this.#name, slot: slot.toISOString(), worker_id: this.#workerId };
    this.#logger.info(log, "cron slot fired");
    let summary: Record<string, unknown>;
    try {
      summary = await withRetry(() => this.#task(slot));
    } catch (error) {
      this.#logger.error({ ...log, err: error }, "cron slot task failed");
      summary = { error: errorMessage(error) };
    }
    await withRetry(() =>
      this.#db.orm
        .update(scheduleRuns)
        .set({ summary })
        .where(and(eq(scheduleRuns.scheduleName, this.#name), eq(scheduleRuns.slotTime, slot))),
    );
    return true;
  }

  /** Sleeps until the slot after `after`; if later slots were missed meanwhile, only the latest is fired. */
  #arm(after: Date = this.#now()): void {
    if (!this.#running) return;
    const next = this.#cron.nextRun(after);
    const [latest] = this.#cron.previousRuns(1, new Date(this.#now().getTime() + 1));
    const slot = next && latest && latest.getTime() > next.getTime() ? latest : next;
    if (slot) this.#sleepUntil(slot);
  }

  #sleepUntil(slot: Date): void {
    const delay = slot.getTime() - this.#now().getTime();
    this.#timer = setTimeout(() => this.#onTimer(slot), Math.min(Math.max(0, delay), this.#checkIntervalMs));
  }

  #onTimer(slot: Date): void {
    this.#timer = undefined;
    if (!this.#running) return;
    if (slot.getTime() > this.#now().getTime()) {
      this.#sleepUntil(slot);
      return;
    }
    void this.#track(this.fireSlot(slot))
      .catch((error: unknown) => this.#logger.error({ err: error, slot: slot.toISOString() }, "cron slot failed"))
      .finally(() => this.#arm(slot));
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    void promise.catch(() => undefined).finally(() => this.#inFlight.delete(promise));
    return promise;
  }
}

/** Most per-project results kept in a slot's stored summary. */
const MAX_SUMMARY_RESULTS = 1000;

function sweepSummary(result: SweepResult): Record<string, unknown> {
  const truncated = result.results.length > MAX_SUMMARY_RESULTS;
  return {
    projects_queued: result.projects_queued,
    jobs_created: result.jobs_created,
    results: truncated ? result.results.slice(0, MAX_SUMMARY_RESULTS) : result.results,
    ...(truncated ? { results_truncated: true } : {}),
  };
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    const message = `${name} must be a number of milliseconds, zero or more`;
    throw new ValidationError(`Invalid cron options: ${message}`, [{ path: name, message }]);
  }
  return value;
}
