import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  DEFAULT_JOB_RETRY_POLICY,
  JOB_KIND_RULE,
  isJobKind,
  type Database,
  type Logger,
  type RetryPolicy,
  ValidationError,
  noopLogger,
} from "@memcons/models";
import type { JobHandlers } from "./handler.js";

/** Options of createJobRunner. */
export interface JobRunnerOptions {
  db: Database;
  /** The handler of each job kind this runner runs, e.g. `{ consolidation: (job, ctx) => … }`. A claimed job of
   *  another kind fails at once with UnknownJobKindError. */
  handlers: JobHandlers;
  /** Jobs run at once (default 1). */
  concurrency?: number;
  /** Name recorded in locked_by (default host-pid-random). */
  workerId?: string;
  logger?: Logger;
  /** Lease length (default 30 000 ms); a job whose lease expires is taken back by another runner. */
  leaseMs?: number;
  /** Lease renewal interval (default leaseMs / 3). */
  heartbeatMs?: number;
  /** Polling fallback interval (default 2 000 ms on PostgreSQL, 500 ms on PGlite). */
  pollIntervalMs?: number;
  /** Per-attempt time limit (default 600 000 ms); a timeout counts as a failed attempt. */
  jobTimeoutMs?: number;
  /** Backoff of persisted retries (default DEFAULT_JOB_RETRY_POLICY). */
  retryPolicy?: RetryPolicy;
  /** How long a handler may run on after its signal aborted (cancel, timeout, stop) before the runner
   *  records the abort anyway and frees the slot (default 5 000 ms). */
  abortWaitMs?: number;
  /** Longest database outage a running job waits out, keeping its lease, before its attempt fails
   *  (default 60 000 ms; 0 fails the attempt at once). The job then resumes on this runner without
   *  using a retry. */
  outageLimitMs?: number;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

/** Runner options with every default applied. */
export interface ResolvedRunnerOptions
  extends Required<Omit<JobRunnerOptions, "random">>,
    Pick<JobRunnerOptions, "random"> {}

/** Applies defaults to runner options and validates them (ValidationError naming the field). */
export function resolveRunnerOptions(o: JobRunnerOptions): ResolvedRunnerOptions {
  const leaseMs = positiveInt("leaseMs", o.leaseMs ?? 30_000);
  const heartbeatMs = positiveInt("heartbeatMs", o.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3)));
  if (heartbeatMs >= leaseMs) invalid("heartbeatMs", "heartbeatMs must be shorter than leaseMs");
  return {
    db: o.db,
    handlers: checkHandlers(o.handlers),
    concurrency: positiveInt("concurrency", o.concurrency ?? 1),
    workerId: o.workerId ?? defaultWorkerId(),
    logger: o.logger ?? noopLogger,
    leaseMs,
    heartbeatMs,
    pollIntervalMs: positiveInt("pollIntervalMs", o.pollIntervalMs ?? (o.db.driver === "pglite" ? 500 : 2_000)),
    jobTimeoutMs: positiveInt("jobTimeoutMs", o.jobTimeoutMs ?? 600_000),
    retryPolicy: o.retryPolicy ?? DEFAULT_JOB_RETRY_POLICY,
    abortWaitMs: nonNegativeInt("abortWaitMs", o.abortWaitMs ?? 5_000),
    outageLimitMs: nonNegativeInt("outageLimitMs", o.outageLimitMs ?? 60_000),
    random: o.random,
  };
}

/** A default worker id: host, process id and a random suffix. */
export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

function checkHandlers(handlers: JobHandlers): JobHandlers {
  if (!handlers || typeof handlers !== "object") invalid("handlers", "handlers must map job kinds to functions");
  for (const [kind, handler] of Object.entries(handlers)) {
    if (!isJobKind(kind)) invalid(`handlers.${kind}`, `"${kind}" is not a valid job kind (${JOB_KIND_RULE})`);
    if (typeof handler !== "function") invalid(`handlers.${kind}`, `the handler of "${kind}" must be a function`);
  }
  return { ...handlers };
}

function positiveInt(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 1) invalid(name, `${name} must be a positive number`);
  return Math.floor(value);
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) invalid(name, `${name} must be zero or more`);
  return Math.floor(value);
}

function invalid(path: string, message: string): never {
  throw new ValidationError(`Invalid job runner options: ${message}`, [{ path, message }]);
}
