import type { Embedder, Judge, Synthesizer } from "@memcons/consolidation-core";
import type { Database } from "@memcons/models";
import {
  type CronScheduler,
  createCronScheduler,
  createJobRunner,
  InvalidScheduleError,
  type JobEvent,
  type JobRunner,
} from "@memcons/scheduler";
import { createAuditPurgeCron } from "./audit-purge.js";
import { type Config, ConfigError } from "../common/config.js";
import { jobHandlers } from "./handlers.js";
import { createHealthApp } from "./health.js";
import { type HttpServer, listenHttp } from "../common/http.js";
import type { AppLogger } from "../common/logger.js";
import { createWorkerMetrics, type WorkerMetrics } from "./metrics.js";

/** A running worker: job runner, cron, and the health/metrics server. */
export interface WorkerProcess {
  readonly workerId: string;
  readonly runner: JobRunner;
  readonly cron: CronScheduler;
  /** The daily purge of old audit rows, or null when AUDIT_RETENTION_DAYS is 0. */
  readonly auditPurge: CronScheduler | null;
  readonly metrics: WorkerMetrics;
  /** The health server, or null when `health: false` was asked for. */
  readonly health: HttpServer | null;
  /** Stops claiming, lets running jobs finish (or releases them) within the grace period, closes the server. */
  stop(): Promise<void>;
}

/** What startWorker needs besides the configuration. */
export interface WorkerDeps {
  db: Database;
  logger: AppLogger;
  embedder: Embedder;
  synthesizer: Synthesizer;
  /** Decides review proposals during jobs (default: none; they wait for a person). */
  judge?: Judge;
  /** Serve /healthz, /readyz and /metrics on config.healthPort (default true). */
  health?: boolean;
  /** Resolves once the database answers and is migrated: the runner and the crons start then
   *  (default: at once). The health server answers from the start. */
  databaseReady?: Promise<void>;
  /** A message while a recent database driver fault should fail readiness, else null. */
  driverFault?: () => string | null;
}

const LEASE_EXPIRED = /^Lease of worker .* expired/;
const RECLAIM_EVENTS = new Set(["retrying", "failed", "cancelled"]);

/** Starts the job runner, the cron scheduler and the health server of one worker process. */
export async function startWorker(config: Config, deps: WorkerDeps): Promise<WorkerProcess> {
  const { db, logger, embedder, synthesizer, judge } = deps;
  const log = logger.child({ component: "worker", worker_id: config.workerId });
  let draining = false;

  let cron: CronScheduler;
  try {
    cron = createCronScheduler({
      db,
      schedule: config.schedule,
      timezone: config.timezone,
      workerId: config.workerId,
      catchUpWindowMs: config.catchUpWindowMs,
      defaultThreshold: config.threshold,
      logger: logger.child({ component: "cron" }),
    });
  } catch (error) {
    if (error instanceof InvalidScheduleError) throw new ConfigError("CONSOLIDATION_SCHEDULE", error.message);
    throw error;
  }

  // Called only once started, when `metrics` below exists.
  const auditPurge = createAuditPurgeCron(config, {
    db,
    logger: logger.child({ component: "audit-purge" }),
    onPurged: (deleted) => metrics.auditRowsPurged.inc(deleted),
  });

  const runner = createJobRunner({
    db,
    workerId: config.workerId,
    concurrency: config.concurrency,
    leaseMs: config.leaseMs,
    heartbeatMs: config.heartbeatMs,
    pollIntervalMs: config.pollIntervalMs,
    jobTimeoutMs: config.jobTimeoutMs,
    outageLimitMs: config.outageLimitMs,
    logger: logger.child({ component: "runner" }),
    handlers: jobHandlers({ embedder, synthesizer, ...(judge ? { judge } : {}), actor: `worker:${config.workerId}`, ...(config.jobThreads ? { threads: config.jobThreads } : {}) }),
  });

  const metrics = createWorkerMetrics({ db, logger: log, runningJobs: () => runner.runningJobIds().length });
  metrics.follow(runner.events);
  // A reclaimed job's events keep its "Lease of worker … expired at …" message; count each message once.
  const reclaims = new Set<string>();
  runner.events.on("event", (event: JobEvent) => {
    const message = event.error_message;
    if (message && RECLAIM_EVENTS.has(event.type) && LEASE_EXPIRED.test(message)) {
      const key = `${event.job_id} ${message}`;
      if (!reclaims.has(key)) {
        if (reclaims.size > 10_000) reclaims.clear();
        reclaims.add(key);
        metrics.leaseReclaims.inc();
      }
    }
    const fields = { job_id: event.job_id, project_id: event.project_id, status: event.status };
    if (event.type === "progress") log.debug({ ...fields, progress: event.progress, phase: event.phase }, "job progress");
    else if (event.type === "failed") log.error({ ...fields, error_message: event.error_message }, "job failed");
    else if (event.type === "retrying") log.warn({ ...fields, error_message: event.error_message }, "job will be retried");
    else log.info(fields, `job ${event.type}`);
  });

  let started = false;
  const health =
    deps.health === false
      ? null
      : await listenHttp(
          "health server",
          createHealthApp({
            db,
            metrics,
            isDraining: () => draining,
            fault: () => deps.driverFault?.() ?? (started ? null : "waiting for the database"),
          }).fetch,
          config.healthPort,
          config.host,
        );
  const startServices = async () => {
    try {
      await runner.start();
      await cron.start();
      await auditPurge?.start();
      started = true;
    } catch (error) {
      await cron.stop();
      await runner.stop({ graceMs: 0 }).catch(() => {});
      throw error;
    }
    const next = cron.nextRun();
    log.info(
      {
        concurrency: config.concurrency,
        schedule: config.schedule,
        timezone: config.timezone,
        next_run: next ? next.toISOString() : null,
        audit_retention_days: config.auditRetentionDays,
        health_url: health?.url ?? null,
      },
      "worker started",
    );
  };
  // With a database still coming up, the services start once it answers; stop() waits for that.
  let starting: Promise<void> | undefined;
  if (deps.databaseReady) {
    starting = deps.databaseReady.then(
      () => (draining ? undefined : startServices()),
      () => undefined,
    );
    starting.catch((error: unknown) => log.error({ err: error }, "the worker could not start"));
  } else {
    try {
      await startServices();
    } catch (error) {
      await health?.close();
      throw error;
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    workerId: config.workerId,
    runner,
    cron,
    auditPurge,
    metrics,
    health,
    stop() {
      stopping ??= (async () => {
        draining = true;
        await starting?.catch(() => {});
        const running = runner.runningJobIds();
        log.info({ running_jobs: running, grace_ms: config.shutdownGraceMs }, "worker stopping");
        await cron.stop();
        await auditPurge?.stop();
        await runner.stop({ graceMs: config.shutdownGraceMs });
        await health?.close();
        log.info({}, "worker stopped");
      })();
      return stopping;
    },
  };
}
