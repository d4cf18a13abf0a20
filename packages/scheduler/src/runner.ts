import { EventEmitter } from "node:events";
import type { Database, Logger } from "@memcons/models";
import { JobCancelledError, LeaseLostError, RunnerStoppingError } from "./errors.js";
import { JOB_WAKEUP_CHANNEL } from "./events.js";
import { type ActiveJob, type ExecutionHost, abortJob, startJob } from "./execute.js";
import { type ClaimOptions, claimJobs } from "./queue/claim.js";
import { CompletionBatcher } from "./queue/complete.js";
import { heartbeat } from "./queue/heartbeat.js";
import type { ChangedJob } from "./queue/statement.js";
import { reclaimExpiredJobs } from "./queue/reclaim.js";
import { type JobRunnerOptions, resolveRunnerOptions } from "./runner-options.js";

export { type JobRunnerOptions, defaultWorkerId } from "./runner-options.js";

/** A job runner: claims due jobs, runs them with leases and heartbeats, records outcomes, publishes events. */
export interface JobRunner {
  readonly workerId: string;
  /** Emits "event" with every JobEvent of jobs this runner handles. */
  readonly events: EventEmitter;
  /** Starts listening and polling; resolves once running. */
  start(): Promise<void>;
  /** Stops claiming, waits up to graceMs (default 10 000) for in-flight jobs, then aborts and releases them. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** Ids of the jobs running now. */
  runningJobIds(): string[];
}

/** Extra time stop() gives aborted jobs to record their outcome. */
const RECORD_WAIT_MS = 10_000;

/** Creates a job runner over the queue table (start it with start()). */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  return new Runner(options);
}

class Runner implements JobRunner {
  readonly workerId: string;
  readonly events = new EventEmitter();
  readonly #db: Database;
  readonly #logger: Logger;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #heartbeatMs: number;
  readonly #pollIntervalMs: number;
  readonly #abortWaitMs: number;
  readonly #host: ExecutionHost;
  readonly #active = new Map<string, ActiveJob>();
  #state: "idle" | "running" | "stopping" | "stopped" = "idle";
  #stopping: Promise<void> | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;
  #wakeAt = 0;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #heartbeating = false;
  #ticking: Promise<void> | undefined;
  #tickSoon: ReturnType<typeof setImmediate> | undefined;
  #tickAgain = false;
  #lastReclaim = 0;
  /** Slots promised to claims in flight (ours or those riding on completion writes). */
  #reserved = 0;
  readonly #completions: CompletionBatcher;

  constructor(options: JobRunnerOptions) {
    const o = resolveRunnerOptions(options);
    this.#db = o.db;
    this.workerId = o.workerId;
    this.#logger = o.logger;
    this.#concurrency = o.concurrency;
    this.#leaseMs = o.leaseMs;
    this.#heartbeatMs = o.heartbeatMs;
    this.#pollIntervalMs = o.pollIntervalMs;
    this.#abortWaitMs = o.abortWaitMs;
    const completions = new CompletionBatcher(o.db, this.workerId, {
      reserve: (completing) => this.#reserve(completing),
      claimed: (jobs, reserved) => {
        this.#reserved -= reserved;
        try {
          this.#startClaimed(jobs);
        } catch (error) {
          // An "event" listener threw: the jobs that did not start are reclaimed when their lease expires.
          this.#logger.error({ err: error }, "starting jobs claimed with a completion failed");
        }
      },
    });
    this.#completions = completions;
    this.#host = {
      db: o.db,
      workerId: this.workerId,
      handlers: o.handlers,
      logger: this.#logger,
      events: this.events,
      retryPolicy: o.retryPolicy,
      random: o.random,
      jobTimeoutMs: o.jobTimeoutMs,
      abortWaitMs: o.abortWaitMs,
      leaseMs: o.leaseMs,
      outageLimitMs: o.outageLimitMs,
      complete: (jobId) => completions.complete(jobId),
      onRetryScheduled: (runAt) => this.#scheduleWake(runAt.getTime()),
    };
  }

  runningJobIds(): string[] {
    return [...this.#active.keys()];
  }

  async start(): Promise<void> {
    if (this.#state !== "idle") throw new Error(`Job runner ${this.workerId} was already started`);
    this.#state = "running";
    try {
      this.#unlisten = await this.#db.listen(JOB_WAKEUP_CHANNEL, (payload) => this.#onWake(payload));
    } catch (error) {
      this.#logger.warn({ err: error }, "LISTEN failed; the runner falls back to polling");
    }
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), this.#heartbeatMs);
    this.#logger.info({ worker_id: this.workerId, concurrency: this.#concurrency }, "job runner started");
    this.#requestTick();
  }

  stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#state === "idle") this.#state = "stopped";
    if (this.#state === "stopped") return Promise.resolve();
    this.#stopping ??= this.#stop(options.graceMs ?? 10_000);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#state = "stopping";
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#wakeTimer);
    clearImmediate(this.#tickSoon);
    this.#tickSoon = undefined;
    await this.#unlisten?.().catch((error: unknown) => this.#logger.warn({ err: error }, "UNLISTEN failed"));
    await this.#ticking;
    // A completion write in flight may still hand over jobs it claimed: they are waited for like the others.
    await this.#completions.idle();
    if (!(await this.#waitForJobs(graceMs))) {
      // Aborted jobs are released to pending (not counted as an attempt); a handler that ignores
      // the abort is given up on after abortWaitMs, then released all the same.
      for (const entry of this.#active.values()) abortJob(entry, new RunnerStoppingError());
      if (!(await this.#waitForJobs(this.#abortWaitMs + RECORD_WAIT_MS))) {
        this.#logger.error({ job_ids: this.runningJobIds() }, "could not record the release of some jobs; their leases will expire");
      }
    }
    clearInterval(this.#heartbeatTimer);
    this.#state = "stopped";
    this.#logger.info({ worker_id: this.workerId }, "job runner stopped");
  }

  /** Resolves true when every in-flight job settled within `ms`. */
  async #waitForJobs(ms: number): Promise<boolean> {
    if (this.#active.size === 0) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const settled = Promise.allSettled([...this.#active.values()].map((e) => e.done)).then(() => true);
    try {
      return await Promise.race([settled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #onWake(payload: string): void {
    if (payload.startsWith("cancel:")) {
      const entry = this.#active.get(payload.slice("cancel:".length));
      if (entry) abortJob(entry, new JobCancelledError(entry.job.id));
      return;
    }
    this.#requestTick();
  }

  /** Claims soon: on the next turn of the event loop, so that jobs finishing together free their slots for one claim. */
  #requestTick(): void {
    if (this.#state !== "running") return;
    if (this.#ticking) {
      this.#tickAgain = true;
      return;
    }
    this.#tickSoon ??= setImmediate(() => {
      this.#tickSoon = undefined;
      if (this.#state !== "running" || this.#ticking) return;
      this.#ticking = this.#tick().finally(() => {
        this.#ticking = undefined;
        if (this.#tickAgain) this.#requestTick();
      });
    });
  }

  async #tick(): Promise<void> {
    clearTimeout(this.#pollTimer);
    try {
      do {
        this.#tickAgain = false;
        await this.#reclaimIfDue();
        const claim = this.#reserve(0);
        if (!claim) break;
        try {
          this.#startClaimed(await claimJobs(this.#db, claim));
        } finally {
          this.#reserved -= claim.limit;
        }
      } while (this.#tickAgain && this.#state === "running");
    } catch (error) {
      this.#logger.error({ err: error }, "claiming jobs failed; retrying at the next poll");
    }
    if (this.#state === "running") this.#pollTimer = setTimeout(() => this.#requestTick(), this.#pollIntervalMs);
  }

  /** Reserves every slot free once `completing` running jobs are done; the claim for them, or null when none is free. */
  #reserve(completing: number): ClaimOptions | null {
    if (this.#state !== "running") return null;
    const free = this.#concurrency - this.#active.size - this.#reserved + completing;
    if (free <= 0) return null;
    this.#reserved += free;
    return { workerId: this.workerId, limit: free, leaseMs: this.#leaseMs };
  }

  /** Runs claimed jobs; each frees its slot (and asks for a claim) once its outcome is recorded. */
  #startClaimed(claimed: readonly ChangedJob[]): void {
    for (const { job, event } of claimed) {
      if (event) this.events.emit("event", event);
      const entry = startJob(this.#host, job);
      this.#active.set(job.id, entry);
      void entry.done.finally(() => {
        this.#active.delete(job.id);
        this.#requestTick();
      });
    }
  }

  async #reclaimIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastReclaim < Math.min(this.#pollIntervalMs, this.#leaseMs)) return;
    this.#lastReclaim = now;
    const reclaimed = await reclaimExpiredJobs(this.#db, 100, this.runningJobIds());
    for (const item of reclaimed) {
      if (item.event) this.events.emit("event", item.event);
      this.#logger.warn(
        { job_id: item.job.id, status: item.job.status, retry_count: item.job.retryCount },
        "reclaimed a job whose lease expired",
      );
    }
  }

  async #heartbeat(): Promise<void> {
    const entries = [...this.#active.values()];
    if (this.#heartbeating || entries.length === 0) return;
    this.#heartbeating = true;
    try {
      const ids = entries.map((entry) => entry.job.id);
      const { renewed, lost } = await heartbeat(this.#db, ids, this.workerId, this.#leaseMs);
      for (const [id, cancelRequestedAt] of renewed) {
        const entry = this.#active.get(id);
        if (entry && cancelRequestedAt) abortJob(entry, new JobCancelledError(id));
      }
      for (const id of lost) {
        const entry = this.#active.get(id);
        if (entry) abortJob(entry, new LeaseLostError(id));
      }
    } catch (error) {
      this.#logger.warn({ err: error }, "heartbeat failed");
    } finally {
      this.#heartbeating = false;
    }
  }

  #scheduleWake(at: number): void {
    if (this.#state !== "running") return;
    if (this.#wakeTimer && this.#wakeAt <= at) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = at;
    this.#wakeTimer = setTimeout(
      () => {
        this.#wakeTimer = undefined;
        this.#requestTick();
      },
      Math.max(0, at - Date.now()) + 5,
    );
  }
}
