import { type Database, type Logger, noopLogger } from "@memcons/models";
import { cancelJob } from "./cancel.js";
import { type CronOptions, type CronScheduler, createCronScheduler } from "./cron.js";
import type { JobHandler } from "./handler.js";
import { type JobRunner, type JobRunnerOptions, createJobRunner, defaultWorkerId } from "./runner.js";
import { type SweepResult, runScheduledConsolidation } from "./sweep.js";
import { type ThresholdCheckResult, checkThresholdTrigger } from "./threshold.js";
import { type TriggerInput, triggerConsolidation } from "./triggers.js";

/** Options of createTriggerService. */
export interface TriggerServiceOptions {
  db: Database;
  /** Job handler (default: the consolidation engine). */
  engine?: JobHandler;
  /** Jobs run at once by this service's runner (default 1). */
  concurrency?: number;
  workerId?: string;
  logger?: Logger;
  /** Threshold of projects that set none (default 100). */
  defaultThreshold?: number;
  /** Cron expression of the scheduled sweep (default "0 2 * * *"). */
  schedule?: string;
  /** Time zone of the schedule (default "UTC"). */
  timezone?: string;
  /** Per-attempt job timeout (default 600 000 ms). */
  jobTimeoutMs?: number;
  /** Further runner options; `false` runs no runner (trigger-only process). */
  runner?: Partial<Omit<JobRunnerOptions, "db">> | false;
  /** Further cron options; `false` runs no cron. */
  cron?: Partial<Omit<CronOptions, "db">> | false;
}

/** Triggers, the job runner and the cron schedule behind one start()/stop(). */
export interface TriggerService {
  readonly runner: JobRunner | null;
  readonly cron: CronScheduler | null;
  /** Starts the runner, then the cron (which may fire a missed slot). */
  start(): Promise<void>;
  /** Stops the cron, then the runner (graceMs as in JobRunner.stop). */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** Manual or other trigger (see triggerConsolidation). */
  trigger(input: TriggerInput): ReturnType<typeof triggerConsolidation>;
  /** Threshold check after memories were written; never throws (errors are logged, null returned). */
  onMemoriesWritten(projectId: string): Promise<ThresholdCheckResult | null>;
  /** Runs the scheduled sweep now. */
  runScheduled(): Promise<SweepResult>;
  /** Cancels a job (see cancelJob). */
  cancel(jobId: string): ReturnType<typeof cancelJob>;
}

/** Creates the trigger service facade (seed TSK-007): scheduled, threshold and manual triggers plus the runner. */
export function createTriggerService(options: TriggerServiceOptions): TriggerService {
  const { db } = options;
  const logger = options.logger ?? noopLogger;
  const workerId = options.workerId ?? defaultWorkerId();
  const runner =
    options.runner === false
      ? null
      : createJobRunner({
          db,
          engine: options.engine,
          concurrency: options.concurrency,
          workerId,
          logger,
          jobTimeoutMs: options.jobTimeoutMs,
          ...options.runner,
        });
  const cron =
    options.cron === false
      ? null
      : createCronScheduler({
          db,
          schedule: options.schedule,
          timezone: options.timezone,
          workerId,
          logger,
          defaultThreshold: options.defaultThreshold,
          ...options.cron,
        });
  const pendingChecks = new Map<string, Promise<ThresholdCheckResult | null>>();
  let started = false;

  return {
    runner,
    cron,
    async start() {
      if (started) return;
      started = true;
      await runner?.start();
      await cron?.start();
    },
    async stop(stopOptions) {
      await cron?.stop();
      await runner?.stop(stopOptions);
      await Promise.allSettled([...pendingChecks.values()]);
    },
    trigger: (input) => triggerConsolidation(db, input),
    onMemoriesWritten(projectId) {
      const inFlight = pendingChecks.get(projectId);
      if (inFlight) return inFlight;
      const check = checkThresholdTrigger(db, projectId, { defaultThreshold: options.defaultThreshold })
        .catch((error: unknown) => {
          logger.warn({ err: error, project_id: projectId }, "threshold check failed");
          return null;
        })
        .finally(() => pendingChecks.delete(projectId));
      pendingChecks.set(projectId, check);
      return check;
    },
    runScheduled: () => runScheduledConsolidation(db, { defaultThreshold: options.defaultThreshold, logger }),
    cancel: (jobId) => cancelJob(db, jobId),
  };
}
