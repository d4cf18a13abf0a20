import type { EventEmitter } from "node:events";
import {
  JobStatus,
  assertTransition,
  type ConsolidationJob,
  type Database,
  type Logger,
  type RetryPolicy,
  isPermanentError,
  isTransientDbError,
} from "@memcons/models";
import { JobCancelledError, JobTimeoutError, LeaseLostError, RunnerStoppingError, UnknownJobKindError } from "./errors.js";
import { type JobEvent, jobEvent, publishJobEvent } from "./events.js";
import { type JobHandlers, type JobProgress, handlerFor } from "./handler.js";
import { markCancelled } from "./queue/cancel.js";
import { failJob } from "./queue/fail.js";
import { heartbeat } from "./queue/heartbeat.js";
import { releaseJobs } from "./queue/release.js";
import type { ChangedJob } from "./queue/statement.js";

/** What executing a job needs from its runner. */
export interface ExecutionHost {
  db: Database;
  workerId: string;
  /** Handlers by job kind. */
  handlers: JobHandlers;
  logger: Logger;
  events: EventEmitter;
  retryPolicy: RetryPolicy;
  random?: () => number;
  jobTimeoutMs: number;
  /** How long a handler may run on after its signal aborted before the runner records the abort anyway. */
  abortWaitMs: number;
  /** Lease length, renewed when the database answers again after an outage. */
  leaseMs: number;
  /** Longest database outage a job waits out before its attempt fails (0: fail at once). */
  outageLimitMs: number;
  /** Records a successful job (batched); null when the lease was lost. */
  complete(jobId: string): Promise<ChangedJob | null>;
  /** Called with the run_at of a job that went back to pending. */
  onRetryScheduled(runAt: Date): void;
}

/** One job in flight on a runner. */
export interface ActiveJob {
  readonly job: ConsolidationJob;
  readonly controller: AbortController;
  /** Settles once the job's outcome is recorded. */
  done: Promise<void>;
  timeout: ReturnType<typeof setTimeout> | undefined;
}

/** How a handler ended. */
interface HandlerOutcome {
  succeeded: boolean;
  failure?: unknown;
}

const PROGRESS_EVENT_INTERVAL_MS = 250;

/** Starts running a claimed job; the returned entry's `done` settles once its outcome is recorded. */
export function startJob(host: ExecutionHost, job: ConsolidationJob): ActiveJob {
  const controller = new AbortController();
  const entry: ActiveJob = { job, controller, done: Promise.resolve(), timeout: undefined };
  entry.timeout = setTimeout(() => abortJob(entry, new JobTimeoutError(host.jobTimeoutMs)), host.jobTimeoutMs);
  entry.done = superviseJob(host, entry).finally(() => clearTimeout(entry.timeout));
  return entry;
}

/** Aborts a running job's handler with `reason` (first reason wins). */
export function abortJob(entry: ActiveJob, reason: Error): void {
  if (!entry.controller.signal.aborted) entry.controller.abort(reason);
}

async function superviseJob(host: ExecutionHost, entry: ActiveJob): Promise<void> {
  const { job, controller } = entry;
  const logger = host.logger;
  const watchdog = abortWatchdog(controller.signal, host.abortWaitMs);
  const handled = invokeHandler(host, entry);
  const { succeeded, failure } = await Promise.race([handled, watchdog.expired]);
  watchdog.clear();
  if (watchdog.fired) {
    logger.error(
      { job_id: job.id, wait_ms: host.abortWaitMs, reason: errorMessage(controller.signal.reason) },
      "the handler ignored its abort signal; recording the abort and freeing the slot",
    );
  }
  const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
  try {
    const changed = await retryThroughOutage(host, () => recordOutcome(host, entry, succeeded, failure, reason));
    for (const item of changed) await announce(host, item);
  } catch (error) {
    logger.error(
      { err: error, job_id: job.id },
      "could not record the job outcome; its lease will expire and another runner will retry it",
    );
  }
}

async function invokeHandler(host: ExecutionHost, entry: ActiveJob): Promise<HandlerOutcome> {
  const { job, controller } = entry;
  const handler = handlerFor(host.handlers, job.kind);
  if (!handler) return { succeeded: false, failure: new UnknownJobKindError(job.kind, Object.keys(host.handlers)) };
  for (let resumes = 0; ; resumes++) {
    try {
      const result = await handler(job, {
        db: host.db,
        signal: controller.signal,
        onProgress: progressPublisher(host, job),
        logger: host.logger,
        workerId: host.workerId,
      });
      if (isCancelledResult(result) && controller.signal.aborted) {
        return { succeeded: false, failure: controller.signal.reason };
      }
      return { succeeded: true };
    } catch (error) {
      if (controller.signal.aborted || resumes >= MAX_RESUMES || !isTransientDbError(error)) {
        return { succeeded: false, failure: error };
      }
      host.logger.warn({ job_id: job.id, err: error }, "the database went away; the job waits for it");
      const since = Date.now();
      if (!(await awaitDatabase(host, entry))) return { succeeded: false, failure: error };
      host.logger.info({ job_id: job.id, waited_ms: Date.now() - since }, "the database answers again; the job resumes");
    }
  }
}

/** Most times one attempt resumes after a database outage. */
const MAX_RESUMES = 50;
/** How often a waiting job probes the database. */
const OUTAGE_PROBE_MS = 250;

/**
 * Waits up to the outage limit for the database to answer, renewing the job's lease as soon as it
 * does. True when the job may resume; false when the limit passed, the job was aborted, or its lease
 * was taken over meanwhile (then the job is aborted with LeaseLostError and writes nothing more).
 */
async function awaitDatabase(host: ExecutionHost, entry: ActiveJob): Promise<boolean> {
  const deadline = Date.now() + host.outageLimitMs;
  const signal = entry.controller.signal;
  while (!signal.aborted && Date.now() <= deadline) {
    try {
      const { lost } = await heartbeat(host.db, [entry.job.id], host.workerId, host.leaseMs);
      if (lost.length > 0) {
        abortJob(entry, new LeaseLostError(entry.job.id));
        return false;
      }
      return true;
    } catch (error) {
      if (!isTransientDbError(error)) return false;
      await sleep(Math.min(OUTAGE_PROBE_MS, Math.max(0, deadline - Date.now())), signal);
    }
  }
  return false;
}

/** Runs `fn`, retrying transient database errors until the outage limit (at least a few short retries). */
async function retryThroughOutage<T>(host: ExecutionHost, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + Math.max(host.outageLimitMs, 2_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (isPermanentError(error) || !isTransientDbError(error) || Date.now() >= deadline) throw error;
      await sleep(Math.min(OUTAGE_PROBE_MS * attempt, 1_000));
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Resolves `expired` (as a failure with the abort reason) when a handler outlives its abort by `waitMs`. */
function abortWatchdog(signal: AbortSignal, waitMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let resolveExpired: (outcome: HandlerOutcome) => void = () => {};
  const state = {
    fired: false,
    expired: new Promise<HandlerOutcome>((resolve) => {
      resolveExpired = resolve;
    }),
    clear() {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    },
  };
  function onAbort() {
    timer = setTimeout(() => {
      state.fired = true;
      resolveExpired({ succeeded: false, failure: signal.reason });
    }, waitMs);
  }
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return state;
}

async function recordOutcome(
  host: ExecutionHost,
  entry: ActiveJob,
  succeeded: boolean,
  failure: unknown,
  reason: unknown,
): Promise<ChangedJob[]> {
  const { db, workerId, logger } = host;
  const job = entry.job;
  if (reason instanceof LeaseLostError) {
    logger.warn({ job_id: job.id }, "lease lost while the job ran; its outcome is discarded");
    return [];
  }
  if (succeeded) {
    assertTransition(job.status, JobStatus.Completed);
    return present(await host.complete(job.id));
  }
  if (reason instanceof RunnerStoppingError) {
    assertTransition(job.status, JobStatus.Pending);
    return releaseJobs(db, [job.id], workerId);
  }
  if (reason instanceof JobCancelledError) {
    assertTransition(job.status, JobStatus.Cancelled);
    return present(await markCancelled(db, job.id, workerId));
  }
  const error = reason instanceof JobTimeoutError ? reason : failure;
  const changed = await failJob(db, job, {
    workerId,
    message: errorMessage(error),
    permanent: isPermanentError(error),
    policy: host.retryPolicy,
    random: host.random,
  });
  logger.warn(
    { job_id: job.id, err: error, status: changed?.job.status, retry_count: changed?.job.retryCount },
    "job attempt failed",
  );
  if (changed?.job.status === "pending") host.onRetryScheduled(changed.job.runAt);
  return present(changed);
}

function progressPublisher(host: ExecutionHost, job: ConsolidationJob) {
  let lastAt = 0;
  let lastPhase: string | undefined;
  return async (progress: JobProgress): Promise<void> => {
    const now = Date.now();
    const value = Math.min(1, Math.max(0, Number(progress.progress) || 0));
    if (progress.phase === lastPhase && now - lastAt < PROGRESS_EVENT_INTERVAL_MS && value < 1) return;
    lastAt = now;
    lastPhase = progress.phase;
    const event: JobEvent = {
      type: "progress",
      job_id: job.id,
      project_id: job.projectId,
      status: "running",
      progress: value,
      at: new Date(now).toISOString(),
      phase: progress.phase,
    };
    await publishJobEvent(host.db, event, { emitter: host.events, logger: host.logger });
  };
}

/** Emits the event a queue statement already NOTIFYed; publishes one for a job cancelled on release. */
export async function announce(host: Pick<ExecutionHost, "db" | "events" | "logger">, item: ChangedJob): Promise<void> {
  if (item.event) host.events.emit("event", item.event);
  else if (item.job.status === "cancelled") {
    await publishJobEvent(host.db, jobEvent("cancelled", item.job), { emitter: host.events, logger: host.logger });
  }
}

function isCancelledResult(result: unknown): boolean {
  return typeof result === "object" && result !== null && (result as { cancelled?: unknown }).cancelled === true;
}

function present(changed: ChangedJob | null): ChangedJob[] {
  return changed ? [changed] : [];
}

/** A readable one-line message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
