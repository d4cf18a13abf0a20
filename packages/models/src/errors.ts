import { redactUrl } from "./redact.js";

/** Every `code` a MemconsError may carry, whichever package throws it. */
export const MEMCONS_ERROR_CODES = [
  // models
  "validation_error",
  "not_found",
  "conflict",
  "illegal_transition",
  "invalid_database_url",
  "migration_mismatch",
  "migration_failed",
  // consolidation-core
  "aborted",
  "ai_provider_error",
  "rollback_window_expired",
  "audit_incomplete",
  "lease_not_held",
  // scheduler
  "cancelled",
  "job_timeout",
  "lease_lost",
  "runner_stopping",
  "unknown_job_kind",
  // apps
  "config_error",
  "usage_error",
  "listen_error",
  "database_in_use",
  "schema_not_current",
  "invalid_pairs_file",
  "invalid_schedule",
  // api
  "unauthorized",
  "forbidden",
  "rate_limited",
] as const;

/** A stable, machine-readable error code (see MEMCONS_ERROR_CODES). */
export type MemconsErrorCode = (typeof MEMCONS_ERROR_CODES)[number];

/** Base class of every error memcons throws on purpose; `code` is stable and machine-readable. */
export class MemconsError extends Error {
  /** Stable machine-readable code, e.g. `validation_error`. */
  readonly code: MemconsErrorCode;
  /** True when retrying the same operation cannot succeed (bad input, missing rows). */
  readonly permanent: boolean;

  constructor(code: MemconsErrorCode, message: string, options?: { permanent?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.permanent = options?.permanent ?? true;
  }
}

/** Input failed validation; `issues` lists each offending field. */
export class ValidationError extends MemconsError {
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(message: string, issues: ReadonlyArray<{ path: string; message: string }> = []) {
    super("validation_error", message);
    this.issues = issues;
  }
}

/** Consolidation options failed validation. */
export class InvalidOptionsError extends ValidationError {}

/** A job was asked to move between two states the state machine does not connect. */
export class IllegalTransitionError extends MemconsError {
  readonly from: string;
  readonly to: string;

  constructor(from: string, to: string) {
    super("illegal_transition", `A job cannot move from '${from}' to '${to}'`);
    this.from = from;
    this.to = to;
  }
}

/** The database URL has a scheme memcons cannot open. */
export class InvalidDatabaseUrlError extends MemconsError {
  constructor(url: string) {
    super(
      "invalid_database_url",
      `Unsupported database URL '${redactUrl(url)}': use postgres://…, postgresql://…, pglite://<dir> or pglite://memory`,
    );
  }
}

/** An applied migration's SQL differs from the one this version ships: the schema cannot be trusted. */
export class MigrationMismatchError extends MemconsError {
  readonly tag: string;

  constructor(tag: string) {
    super(
      "migration_mismatch",
      `Migration ${tag} was applied with different SQL than this version of memcons ships; ` +
        "restore the original migration or the database instead of editing applied migrations",
    );
    this.tag = tag;
  }
}

/** A migration statement failed; the message carries the database server's own message. */
export class MigrationFailedError extends MemconsError {
  /** Tag of the migration that failed, when the failure happened inside one. */
  readonly tag: string | undefined;

  constructor(tag: string | undefined, cause: unknown) {
    const reason = rootMessage(cause);
    super(
      "migration_failed",
      tag === undefined ? `Migrating the memcons schema failed: ${reason}` : `Migration ${tag} failed: ${reason}`,
      { permanent: false, cause },
    );
    this.tag = tag;
  }
}

/** The innermost message of an error chain: the driver's message, not a query wrapper's. */
function rootMessage(error: unknown): string {
  let current: unknown = error;
  let message = String(error);
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

/** Returns true for errors that retrying cannot fix. */
export function isPermanentError(error: unknown): boolean {
  return error instanceof MemconsError && error.permanent;
}

/** No project has the given id. */
export class ProjectNotFoundError extends MemconsError {
  readonly projectId: string;

  constructor(projectId: string) {
    super("not_found", `Project ${projectId} not found`);
    this.projectId = projectId;
  }
}

/** No consolidation job has the given id. */
export class JobNotFoundError extends MemconsError {
  readonly jobId: string;

  constructor(jobId: string) {
    super("not_found", `Consolidation job ${jobId} not found`);
    this.jobId = jobId;
  }
}
