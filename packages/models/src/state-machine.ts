import { JobStatus } from "./enums.js";
import { IllegalTransitionError } from "./errors.js";

const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  pending: [JobStatus.Running, JobStatus.Cancelled],
  // running → pending: a failed attempt with retries left, an expired lease, or a released job.
  running: [JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled, JobStatus.Pending],
  completed: [],
  failed: [],
  cancelled: [],
};

/** States a job in `from` may move to. */
export function nextStatuses(from: JobStatus): readonly JobStatus[] {
  return TRANSITIONS[from];
}

/** Whether the state machine allows `from → to`. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

/** Throws IllegalTransitionError unless `from → to` is allowed. */
export function assertTransition(from: JobStatus, to: JobStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/** Whether a job in this state will never change again. */
export function isTerminalStatus(status: JobStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/** Statuses that occupy a project's single active-job slot. */
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = [JobStatus.Pending, JobStatus.Running];
