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

/** Kinds of audited change: those a job makes (`examine` lists, per batch, the memories a job marked
 *  `is_consolidated` without changing them), and `unarchive`, which only an admin does by hand. */
export const ChangeOperation = {
  Merge: "merge",
  Archive: "archive",
  Promote: "promote",
  Summarize: "summarize",
  Rollback: "rollback",
  Unarchive: "unarchive",
  Examine: "examine",
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

/** Permissions an API token can carry; `admin` grants every other one and token management. */
export const ApiScope = {
  MemoriesRead: "memories:read",
  MemoriesWrite: "memories:write",
  JobsRead: "jobs:read",
  JobsTrigger: "jobs:trigger",
  JobsRollback: "jobs:rollback",
  ProjectsAdmin: "projects:admin",
  Admin: "admin",
} as const;
export type ApiScope = (typeof ApiScope)[keyof typeof ApiScope];
export const API_SCOPES = Object.values(ApiScope) as [ApiScope, ...ApiScope[]];

/** The kind of job the consolidation engine runs; the default kind of a queued job. */
export const CONSOLIDATION_JOB_KIND = "consolidation";

/** The kind of job that re-embeds a project's memories and playbook entries with the configured embedder. */
export const REEMBED_JOB_KIND = "reembed";

/** How a job kind is spelled: a lowercase letter, then up to 62 lowercase letters, digits, `_` or `-`. */
export const JOB_KIND_RULE = "a lowercase letter, then up to 62 lowercase letters, digits, _ or -";
const JOB_KIND_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

/** Whether a value is a well-formed job kind (see JOB_KIND_RULE). */
export function isJobKind(value: unknown): value is string {
  return typeof value === "string" && JOB_KIND_PATTERN.test(value);
}
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
