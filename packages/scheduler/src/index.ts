export { cancelJob } from "./cancel-job.js";
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
  UnknownJobKindError,
} from "./errors.js";
export {
  JOB_EVENTS_CHANNEL,
  JOB_WAKEUP_CHANNEL,
  type JobEvent,
  type JobEventType,
  jobEvent,
  packJobEvents,
  parseJobEvent,
  parseJobEvents,
  publishJobEvent,
  subscribeJobEvents,
} from "./events.js";
export { type EnqueueRequest, type EnqueueResult, enqueueJob } from "./enqueue.js";
export type { JobHandler, JobHandlerContext, JobHandlers, JobProgress } from "./handler.js";
export { claimJobs, type ClaimOptions } from "./queue/claim.js";
export {
  type ClaimAlongside,
  type CompletedAndClaimed,
  CompletionBatcher,
  completeAndClaimJobs,
  completeJob,
  completeJobs,
} from "./queue/complete.js";
export { failJob, type FailOptions, retryDelayMs } from "./queue/fail.js";
export { heartbeat, type HeartbeatResult } from "./queue/heartbeat.js";
export { reclaimExpiredJobs } from "./queue/reclaim.js";
export { releaseJobs } from "./queue/release.js";
export type { ChangedJob } from "./queue/statement.js";
export { rowToJob } from "./rows.js";
export { type JobRunner, type JobRunnerOptions, createJobRunner, defaultWorkerId } from "./runner.js";
export { type SweepOptions, type SweepResult, findProjectsDue, runScheduledConsolidation } from "./sweep.js";
export { type ThresholdCheckResult, checkThresholdTrigger } from "./threshold.js";
export { type JobTriggerInput, type TriggerInput, type TriggerOptions, triggerConsolidation, triggerJob } from "./triggers.js";
export { CONSOLIDATION_JOB_KIND, DEFAULT_GLOBAL_SETTINGS, type GlobalSettings, JobNotFoundError, ProjectNotFoundError } from "@memcons/models";
