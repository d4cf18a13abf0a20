export { cancelJob } from "./cancel.js";
export {
  type CronOptions,
  type CronScheduler,
  createCronScheduler,
  parseSchedule,
} from "./cron.js";
export {
  ConsolidationDisabledError,
  InvalidScheduleError,
  JobCancelledError,
  JobNotCancellableError,
  JobStateChangingError,
  JobTimeoutError,
  LeaseLostError,
  RunnerStoppingError,
} from "./errors.js";
export {
  JOB_EVENTS_CHANNEL,
  JOB_WAKEUP_CHANNEL,
  type JobEvent,
  type JobEventType,
  jobEvent,
  parseJobEvent,
  publishJobEvent,
  subscribeJobEvents,
} from "./events.js";
export {
  type ConsolidationHandlerOptions,
  type ConsolidationProgress,
  type JobContext,
  type JobHandler,
  createConsolidationHandler,
} from "./handler.js";
export { claimJobs, type ClaimOptions } from "./queue/claim.js";
export { CompletionBatcher, completeJob, completeJobs } from "./queue/complete.js";
export { failJob, type FailOptions, retryDelayMs } from "./queue/fail.js";
export { heartbeat, type HeartbeatResult } from "./queue/heartbeat.js";
export { reclaimExpiredJobs } from "./queue/reclaim.js";
export { releaseJobs } from "./queue/release.js";
export type { ChangedJob } from "./queue/statement.js";
export { rowToJob } from "./rows.js";
export { type JobRunner, type JobRunnerOptions, createJobRunner, defaultWorkerId } from "./runner.js";
export { type TriggerService, type TriggerServiceOptions, createTriggerService } from "./service.js";
export { type SweepOptions, type SweepResult, findProjectsDue, runScheduledConsolidation } from "./sweep.js";
export { type ThresholdCheckResult, checkThresholdTrigger } from "./threshold.js";
export { type TriggerInput, type TriggerOptions, isUuid, triggerConsolidation } from "./triggers.js";
export { DEFAULT_GLOBAL_SETTINGS, type GlobalSettings, JobNotFoundError, ProjectNotFoundError } from "@memcons/models";
