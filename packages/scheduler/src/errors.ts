import { MemconsError, ValidationError } from "@memcons/models";

/** A trigger named a project whose consolidation is switched off (HTTP 400). */
export class ConsolidationDisabledError extends MemconsError {
  readonly projectId: string;

  constructor(projectId: string) {
    super("validation_error", `Consolidation is disabled for project ${projectId}`);
    this.projectId = projectId;
  }
}

/** A cron expression or time zone could not be parsed. */
export class InvalidScheduleError extends ValidationError {
  constructor(message: string, path: "schedule" | "timezone") {
    super(message, [{ path, message }]);
  }
}

/** A job ran longer than the runner's job timeout; counts as a failed attempt. */
export class JobTimeoutError extends MemconsError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super("job_timeout", `Job exceeded its timeout of ${timeoutMs} ms`, { permanent: false });
    this.timeoutMs = timeoutMs;
  }
}

/** Abort reason given to a handler whose job was cancelled. */
export class JobCancelledError extends MemconsError {
  constructor(jobId: string) {
    super("cancelled", `Job ${jobId} was cancelled`, { permanent: true });
  }
}

/** Abort reason given to a handler whose runner is stopping; the job is released, not failed. */
export class RunnerStoppingError extends MemconsError {
  constructor() {
    super("runner_stopping", "The job runner is stopping; the job is released to another runner", {
      permanent: false,
    });
  }
}

/** Abort reason given to a handler whose lease was lost (another runner reclaimed the job). */
export class LeaseLostError extends MemconsError {
  constructor(jobId: string) {
    super("lease_lost", `The lease on job ${jobId} expired and was taken over`, { permanent: false });
  }
}

/** A job cannot be cancelled from its current state (it already finished). */
export class JobNotCancellableError extends MemconsError {
  readonly status: string;

  constructor(jobId: string, status: string) {
    super("conflict", `Job ${jobId} is ${status} and can no longer be cancelled`);
    this.status = status;
  }
}

/** A job's state kept changing under a trigger or cancel (extreme contention); retrying can succeed. */
export class JobStateChangingError extends MemconsError {
  constructor(message: string) {
    super("conflict", message, { permanent: false });
  }
}

/** A claimed job's kind has no handler on this runner; the job fails at once, without retries. */
export class UnknownJobKindError extends MemconsError {
  readonly kind: string;

  constructor(kind: string, known: readonly string[]) {
    const list = known.length > 0 ? known.join(", ") : "none";
    super("unknown_job_kind", `No handler is registered for job kind "${kind}" (this runner handles: ${list})`, {
      permanent: true,
    });
    this.kind = kind;
  }
}
