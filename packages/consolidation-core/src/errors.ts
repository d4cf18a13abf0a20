import { MemconsError } from "@memcons/models";

/** The job exists but is not pending or running, so it cannot be run. */
export class JobNotRunnableError extends MemconsError {
  readonly jobId: string;
  readonly status: string;

  constructor(jobId: string, status: string) {
    super("conflict", `Consolidation job ${jobId} is ${status} and cannot be run`);
    this.jobId = jobId;
    this.status = status;
  }
}

/** The job is still pending or running, so there is nothing final to roll back yet. */
export class JobNotFinishedError extends MemconsError {
  readonly jobId: string;
  readonly status: string;

  constructor(jobId: string, status: string) {
    super("conflict", `Consolidation job ${jobId} is ${status}; only finished jobs can be rolled back`);
    this.jobId = jobId;
    this.status = status;
  }
}

/** A memory changed after the job that touched it, with the columns that differ from what the job left. */
export interface RollbackConflict {
  memory_id: string;
  /** Columns whose value differs from the job's last write (or `deleted` when the row is gone). */
  changed: string[];
}

/** Memories the job touched were changed afterwards; rolling back would overwrite those edits. */
export class RollbackConflictError extends MemconsError {
  readonly jobId: string;
  readonly memoryIds: readonly string[];
  readonly conflicts: readonly RollbackConflict[];

  constructor(jobId: string, conflicts: readonly RollbackConflict[]) {
    const shown = conflicts
      .slice(0, 20)
      .map((c) => `${c.memory_id} (${c.changed.join(", ")})`)
      .join(", ");
    const more = conflicts.length > 20 ? ` and ${conflicts.length - 20} more` : "";
    super(
      "conflict",
      `Cannot roll back job ${jobId}: ${conflicts.length} memories changed after it ran: ${shown}${more}; ` +
        "roll back with force to restore everything else and skip them",
    );
    this.jobId = jobId;
    this.conflicts = conflicts;
    this.memoryIds = conflicts.map((c) => c.memory_id);
  }
}

/** Audit rows of the job are missing (deleted by hand or by an old purge): a rollback would be partial. */
export class AuditIncompleteError extends MemconsError {
  readonly jobId: string;
  readonly expected: number;
  readonly found: number;

  constructor(jobId: string, expected: number, found: number) {
    super(
      "audit_incomplete",
      `Cannot roll back job ${jobId}: ${expected - found} of its ${expected} audit rows are missing, so it cannot be undone exactly`,
    );
    this.jobId = jobId;
    this.expected = expected;
    this.found = found;
  }
}

/** The job finished longer ago than the rollback window allows. */
export class RollbackWindowExpiredError extends MemconsError {
  readonly jobId: string;
  readonly windowDays: number;

  constructor(jobId: string, windowDays: number) {
    super(
      "rollback_window_expired",
      `Consolidation job ${jobId} finished more than ${windowDays} days ago and can no longer be rolled back`,
    );
    this.jobId = jobId;
    this.windowDays = windowDays;
  }
}

/** The job's lease is no longer held by this worker (it expired and was taken over); nothing more is written. */
export class LeaseNotHeldError extends MemconsError {
  readonly jobId: string;
  readonly holder: string;

  constructor(jobId: string, holder: string) {
    super("lease_lost", `Worker ${holder} no longer holds the lease of consolidation job ${jobId}; it stops without writing`, {
      permanent: false,
    });
    this.jobId = jobId;
    this.holder = holder;
  }
}

/** The job was already rolled back once. */
export class AlreadyRolledBackError extends MemconsError {
  readonly jobId: string;

  constructor(jobId: string) {
    super("conflict", `Consolidation job ${jobId} was already rolled back`);
    this.jobId = jobId;
  }
}

/** An embedding has a different length than the embedder declares. */
export class EmbeddingDimensionError extends MemconsError {
  readonly expected: number;
  readonly actual: number;

  constructor(expected: number, actual: number, model?: string) {
    super(
      "validation_error",
      `Embedding dimension mismatch${model ? ` for model ${model}` : ""}: expected ${expected}, got ${actual}`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** The job was cancelled or timed out; it stopped between clusters and can be resumed. */
export class ConsolidationAbortedError extends MemconsError {
  readonly jobId: string;

  constructor(jobId: string, cause: unknown) {
    super("aborted", `Consolidation job ${jobId} was aborted: ${describe(cause)}`, {
      permanent: false,
      cause,
    });
    this.jobId = jobId;
  }
}

/** An AI provider (embeddings or chat completions) answered with an error or an unusable body. */
export class AIProviderError extends MemconsError {
  /** HTTP status, or undefined for network errors and invalid bodies. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; permanent: boolean; cause?: unknown }) {
    super("ai_provider_error", message, { permanent: options.permanent, cause: options.cause });
    this.status = options.status;
  }
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  if (typeof reason === "string") return reason;
  return "aborted";
}

/** No review proposal has the given id. */
export class ProposalNotFoundError extends MemconsError {
  readonly proposalId: string;

  constructor(proposalId: string) {
    super("not_found", `Proposal ${proposalId} not found`);
    this.proposalId = proposalId;
  }
}

/** The proposal was already approved or rejected. */
export class ProposalDecidedError extends MemconsError {
  readonly proposalId: string;
  readonly status: string;

  constructor(proposalId: string, status: string) {
    super("conflict", `Proposal ${proposalId} is already ${status}`);
    this.proposalId = proposalId;
    this.status = status;
  }
}

/** No dry-run plan exists for the given job id. */
export class PlanNotFoundError extends MemconsError {
  readonly jobId: string;

  constructor(jobId: string) {
    super("not_found", `No dry-run plan for job ${jobId}`);
    this.jobId = jobId;
  }
}

/** The plan was already applied or discarded. */
export class PlanDecidedError extends MemconsError {
  readonly jobId: string;
  readonly status: string;

  constructor(jobId: string, status: string) {
    super("conflict", `The plan of job ${jobId} is already ${status}`);
    this.jobId = jobId;
    this.status = status;
  }
}

/** Memories a proposal or plan names changed (or were merged, archived or deleted) since it was made. */
export class MemoriesChangedError extends MemconsError {
  readonly memoryIds: readonly string[];

  constructor(what: string, memoryIds: readonly string[]) {
    const shown = memoryIds.slice(0, 20).join(", ");
    const more = memoryIds.length > 20 ? ` and ${memoryIds.length - 20} more` : "";
    super("conflict", `Cannot apply ${what}: ${memoryIds.length} memories changed since (${shown}${more})`);
    this.memoryIds = memoryIds;
  }
}

/** The project already has a pending or running job, so the change cannot be queued now. */
export class ProjectBusyError extends MemconsError {
  readonly projectId: string;
  readonly activeJobId: string;

  constructor(projectId: string, activeJobId: string) {
    super(
      "conflict",
      `Project ${projectId} has an active job (${activeJobId}); try again when it has finished`,
    );
    this.projectId = projectId;
    this.activeJobId = activeJobId;
  }
}
