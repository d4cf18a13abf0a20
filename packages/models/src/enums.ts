/** Lifecycle states of a consolidation job. */
export const JobStatus = {
  Pending: "pending",
  Running: "running",
  Completed: "completed",
  Failed: "failed",
  Cancelled: "cancelled",
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];
export const JOB_STATUSES = Object.values(JobStatus) as [JobStatus, ...JobStatus[]];

/** What started a consolidation job. */
export const TriggerType = {
  Scheduled: "scheduled",
  Manual: "manual",
  Threshold: "threshold",
} as const;
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];
export const TRIGGER_TYPES = Object.values(TriggerType) as [TriggerType, ...TriggerType[]];

/** Kinds of audited change: those a job makes, and `unarchive`, which only an admin does by hand. */
export const ChangeOperation = {
  Merge: "merge",
  Archive: "archive",
  Promote: "promote",
  Summarize: "summarize",
  Rollback: "rollback",
  Unarchive: "unarchive",
} as const;
export type ChangeOperation = (typeof ChangeOperation)[keyof typeof ChangeOperation];
export const CHANGE_OPERATIONS = Object.values(ChangeOperation) as [
  ChangeOperation,
  ...ChangeOperation[],
];

/** Kinds of task memory an agent writes, plus the two that consolidation creates. */
export const MemoryType = {
  ErrorFix: "error_fix",
  Discovery: "discovery",
  Decision: "decision",
  Learning: "learning",
  Warning: "warning",
  CodebaseKnowledge: "codebase_knowledge",
  Consolidated: "consolidated",
  Synthesis: "synthesis",
} as const;
export type MemoryType = (typeof MemoryType)[keyof typeof MemoryType];
export const MEMORY_TYPES = Object.values(MemoryType) as [MemoryType, ...MemoryType[]];

/** Why a memory was archived. */
export const ArchiveReason = {
  Staleness: "staleness",
  LowValue: "low_value",
  Manual: "manual",
} as const;
export type ArchiveReason = (typeof ArchiveReason)[keyof typeof ArchiveReason];
export const ARCHIVE_REASONS = Object.values(ArchiveReason) as [ArchiveReason, ...ArchiveReason[]];

/** Consolidation phases, in the order the engine runs them. */
export const Phase = {
  Detect: "detect",
  Merge: "merge",
  Summarize: "summarize",
  Archive: "archive",
  Promote: "promote",
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];
export const PHASES = Object.values(Phase) as [Phase, ...Phase[]];

/** Where a review proposal stands: waiting for a decision, approved (merged by a job) or rejected (never proposed again). */
export const ProposalStatus = {
  Pending: "pending",
  Approved: "approved",
  Rejected: "rejected",
} as const;
export type ProposalStatus = (typeof ProposalStatus)[keyof typeof ProposalStatus];
export const PROPOSAL_STATUSES = Object.values(ProposalStatus) as [ProposalStatus, ...ProposalStatus[]];

/** A judge's verdict on a proposal. */
export const JudgeVerdict = {
  Approve: "approve",
  Reject: "reject",
} as const;
export type JudgeVerdict = (typeof JudgeVerdict)[keyof typeof JudgeVerdict];
export const JUDGE_VERDICTS = Object.values(JudgeVerdict) as [JudgeVerdict, ...JudgeVerdict[]];

/** Where a dry run's plan stands: ready to apply, applied (by a job) or discarded. */
export const PlanStatus = {
  Ready: "ready",
  Applied: "applied",
  Discarded: "discarded",
} as const;
export type PlanStatus = (typeof PlanStatus)[keyof typeof PlanStatus];
export const PLAN_STATUSES = Object.values(PlanStatus) as [PlanStatus, ...PlanStatus[]];

/** Kinds of decision a plan records: a cluster to merge, memories to archive, memories to promote, a cluster to review. */
export const PlanItemKind = {
  Merge: "merge",
  Archive: "archive",
  Promote: "promote",
  Review: "review",
} as const;
export type PlanItemKind = (typeof PlanItemKind)[keyof typeof PlanItemKind];
export const PLAN_ITEM_KINDS = Object.values(PlanItemKind) as [PlanItemKind, ...PlanItemKind[]];
