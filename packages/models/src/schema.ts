import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  CONSOLIDATION_JOB_KIND,
  type ApiScope,
  ARCHIVE_REASONS,
  CHANGE_OPERATIONS,
  JOB_STATUSES,
  JUDGE_VERDICTS,
  MEMORY_TYPES,
  PLAN_ITEM_KINDS,
  PLAN_STATUSES,
  PROPOSAL_STATUSES,
  TRIGGER_TYPES,
} from "./enums.js";

/** The PostgreSQL schema that holds every memcons table, index and constraint. */
export const memconsSchema = pgSchema("memcons");

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/** Projects whose agents write memories; each carries its consolidation settings. */
export const projects = memconsSchema.table(
  "projects",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    consolidationEnabled: boolean("consolidation_enabled").notNull().default(true),
    consolidationThreshold: integer("consolidation_threshold"),
    consolidationOptions: jsonb("consolidation_options")
      .$type<Record<string, unknown>>()
      .notNull()
      .default({}),
    isActive: boolean("is_active").notNull().default(true),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("projects_name_not_blank", sql`length(trim(${t.name})) > 0`),
    check(
      "projects_threshold_range",
      sql`${t.consolidationThreshold} IS NULL OR ${t.consolidationThreshold} BETWEEN 10 AND 1000`,
    ),
  ],
);

/** Task memories written by agents, plus the consolidated and synthesis memories jobs create. */
export const taskMemories = memconsSchema.table(
  "task_memories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    taskId: text("task_id"),
    memoryType: text("memory_type", { enum: MEMORY_TYPES }).notNull(),
    executionSummary: text("execution_summary").notNull(),
    goal: text("goal"),
    result: text("result"),
    feedback: text("feedback"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    filePaths: text("file_paths").array().notNull().default(sql`'{}'::text[]`),
    contextEmbedding: real("context_embedding").array(),
    /** Model that produced context_embedding (e.g. `hashing-v1-256`); null when unknown. */
    embeddingModel: text("embedding_model"),
    success: boolean("success").notNull().default(true),
    reusedCount: integer("reused_count").notNull().default(0),
    lastReusedAt: timestamptz("last_reused_at"),
    learnedAt: timestamptz("learned_at").notNull().defaultNow(),
    isDuplicate: boolean("is_duplicate").notNull().default(false),
    duplicateOf: uuid("duplicate_of").references((): AnyPgColumn => taskMemories.id, {
      onDelete: "set null",
    }),
    isConsolidated: boolean("is_consolidated").notNull().default(false),
    consolidatedFrom: uuid("consolidated_from").array().notNull().default(sql`'{}'::uuid[]`),
    consolidatedAt: timestamptz("consolidated_at"),
    synthesizedFrom: uuid("synthesized_from").array().notNull().default(sql`'{}'::uuid[]`),
    synthesizedAt: timestamptz("synthesized_at"),
    synthesisConfidence: real("synthesis_confidence"),
    needsReview: boolean("needs_review").notNull().default(false),
    isArchived: boolean("is_archived").notNull().default(false),
    archivedAt: timestamptz("archived_at"),
    archiveReason: text("archive_reason", { enum: ARCHIVE_REASONS }),
    version: integer("version").notNull().default(1),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("task_memories_memory_type_valid", sql`${t.memoryType} IN (${inList(MEMORY_TYPES)})`),
    check(
      "task_memories_archive_reason_valid",
      sql`${t.archiveReason} IS NULL OR ${t.archiveReason} IN (${inList(ARCHIVE_REASONS)})`,
    ),
    check("task_memories_reused_count_non_negative", sql`${t.reusedCount} >= 0`),
    check("task_memories_version_positive", sql`${t.version} >= 1`),
    check(
      "task_memories_confidence_range",
      sql`${t.synthesisConfidence} IS NULL OR ${t.synthesisConfidence} BETWEEN 0 AND 1`,
    ),
    check("task_memories_summary_not_blank", sql`length(trim(${t.executionSummary})) > 0`),
    check("task_memories_not_own_duplicate", sql`${t.duplicateOf} IS NULL OR ${t.duplicateOf} <> ${t.id}`),
    index("task_memories_project_created_idx").on(t.projectId, t.createdAt.desc()),
    // id last: the engine reads a project's active memories a type at a time in keyset pages
    // (`… AND memory_type = … AND id > … ORDER BY id LIMIT …`), one page read per page at any project size.
    index("task_memories_project_active_idx")
      .on(t.projectId, t.memoryType, t.id)
      .where(sql`${t.isArchived} = false AND ${t.isDuplicate} = false`),
    index("task_memories_project_unconsolidated_idx")
      .on(t.projectId)
      .where(
        sql`${t.isArchived} = false AND ${t.isDuplicate} = false AND ${t.isConsolidated} = false`,
      ),
    index("task_memories_duplicate_of_idx").on(t.duplicateOf),
  ],
);

/** Consolidation jobs; this table is also the durable job queue. */
export const consolidationJobs = memconsSchema.table(
  "consolidation_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    // Which registered handler runs the job; one pending-or-running job per (project, kind).
    kind: text("kind").notNull().default(CONSOLIDATION_JOB_KIND),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("pending"),
    triggerType: text("trigger_type", { enum: TRIGGER_TYPES }).notNull(),
    options: jsonb("options").$type<Record<string, unknown>>().notNull().default({}),
    scope: jsonb("scope").$type<Record<string, unknown>>().notNull().default({}),
    memoriesMerged: integer("memories_merged").notNull().default(0),
    memoriesArchived: integer("memories_archived").notNull().default(0),
    memoriesPromoted: integer("memories_promoted").notNull().default(0),
    summariesCreated: integer("summaries_created").notNull().default(0),
    phasesCompleted: text("phases_completed").array().notNull().default(sql`'{}'::text[]`),
    metrics: jsonb("metrics").$type<Record<string, unknown>>().notNull().default({}),
    progress: real("progress").notNull().default(0),
    retryCount: integer("retry_count").notNull().default(0),
    maxRetries: integer("max_retries").notNull().default(3),
    runAt: timestamptz("run_at").notNull().defaultNow(),
    lockedBy: text("locked_by"),
    lockedUntil: timestamptz("locked_until"),
    cancelRequestedAt: timestamptz("cancel_requested_at"),
    startedAt: timestamptz("started_at"),
    completedAt: timestamptz("completed_at"),
    durationSeconds: real("duration_seconds"),
    errorMessage: text("error_message"),
    triggeredBy: text("triggered_by").notNull().default("system"),
    rolledBackAt: timestamptz("rolled_back_at"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    // Insertion order. It breaks claim-order ties, so jobs queued together (one statement shares one created_at) are
    // claimed in the order their rows were written: neighbouring rows, not rows scattered over the table.
    seq: bigint("seq", { mode: "number" }).notNull().generatedAlwaysAsIdentity(),
  },
  (t) => [
    // JOB_KIND_RULE without a regular expression: PostgreSQL checks it on every update of a job row.
    check(
      "consolidation_jobs_kind_valid",
      sql`char_length(${t.kind}) <= 63 AND ascii(${t.kind}) BETWEEN 97 AND 122 AND ltrim(${t.kind}, 'abcdefghijklmnopqrstuvwxyz0123456789_-') = ''`,
    ),
    check("consolidation_jobs_status_valid", sql`${t.status} IN (${inList(JOB_STATUSES)})`),
    check(
      "consolidation_jobs_trigger_type_valid",
      sql`${t.triggerType} IN (${inList(TRIGGER_TYPES)})`,
    ),
    check(
      "consolidation_jobs_counters_non_negative",
      sql`${t.memoriesMerged} >= 0 AND ${t.memoriesArchived} >= 0 AND ${t.memoriesPromoted} >= 0 AND ${t.summariesCreated} >= 0`,
    ),
    check("consolidation_jobs_progress_range", sql`${t.progress} BETWEEN 0 AND 1`),
    check(
      "consolidation_jobs_retries_valid",
      sql`${t.retryCount} >= 0 AND ${t.maxRetries} >= 0`,
    ),
    check(
      "consolidation_jobs_duration_non_negative",
      sql`${t.durationSeconds} IS NULL OR ${t.durationSeconds} >= 0`,
    ),
    index("consolidation_jobs_project_created_idx").on(t.projectId, t.createdAt.desc()),
    index("consolidation_jobs_created_idx").on(t.createdAt),
    index("consolidation_jobs_active_idx")
      .on(t.status, t.runAt)
      .where(sql`${t.status} IN ('pending', 'running')`),
    // Serves the claim order exactly (seq breaks ties: a sweep enqueues thousands of jobs with one run_at).
    index("consolidation_jobs_claim_idx")
      .on(t.runAt, t.createdAt, t.seq)
      .where(sql`${t.status} = 'pending'`),
    uniqueIndex("consolidation_jobs_one_active_per_project_kind")
      .on(t.projectId, t.kind)
      .where(sql`${t.status} IN ('pending', 'running')`),
  ],
);

/** The audit trail: one row per memory or playbook entry a job (or its rollback) or an admin changed. */
export const consolidationChanges = memconsSchema.table(
  "consolidation_changes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // NULL for a change made by hand (archive or unarchive through the API), outside any job.
    consolidationJobId: uuid("consolidation_job_id").references(() => consolidationJobs.id, { onDelete: "cascade" }),
    operation: text("operation", { enum: CHANGE_OPERATIONS }).notNull(),
    // Deliberately no foreign key: audit rows outlive the memories they describe.
    memoryId: uuid("memory_id"),
    previousState: jsonb("previous_state").$type<Record<string, unknown>>(),
    newState: jsonb("new_state").$type<Record<string, unknown>>(),
    reason: text("reason"),
    confidence: real("confidence"),
    changedAt: timestamptz("changed_at").notNull().defaultNow(),
    changedBy: text("changed_by").notNull().default("system"),
  },
  (t) => [
    check(
      "consolidation_changes_operation_valid",
      sql`${t.operation} IN (${inList(CHANGE_OPERATIONS)})`,
    ),
    check(
      "consolidation_changes_confidence_range",
      sql`${t.confidence} IS NULL OR ${t.confidence} BETWEEN 0 AND 1`,
    ),
    // Serves lookups by job alone and the per-memory lookups of a job (rollback, audit joins).
    index("consolidation_changes_job_memory_idx").on(t.consolidationJobId, t.memoryId),
    index("consolidation_changes_memory_idx").on(t.memoryId),
    index("consolidation_changes_operation_idx").on(t.operation),
    index("consolidation_changes_changed_at_idx").on(t.changedAt.desc()),
    // A project's audit log, newest first: each of its jobs' rows in order, and the rows made by hand.
    // (DESC NULLS FIRST is what ORDER BY … DESC means, so the indexes hand rows over already sorted.)
    index("consolidation_changes_job_changed_idx").on(
      t.consolidationJobId,
      t.changedAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("consolidation_changes_manual_idx")
      .on(t.changedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.consolidationJobId} IS NULL`),
  ],
);

/** Project playbook: high-confidence knowledge promoted from consolidated memories. */
export const playbookEntries = memconsSchema.table(
  "playbook_entries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    content: text("content").notNull(),
    category: text("category").notNull(),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    priority: integer("priority").notNull().default(0),
    supportingMemoryIds: uuid("supporting_memory_ids")
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    embedding: real("embedding").array(),
    /** Model that produced embedding; null when unknown. */
    embeddingModel: text("embedding_model"),
    sourceJobId: uuid("source_job_id").references(() => consolidationJobs.id, {
      onDelete: "set null",
    }),
    createdBy: text("created_by").notNull().default("system"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [
    check("playbook_entries_content_not_blank", sql`length(trim(${t.content})) > 0`),
    index("playbook_entries_project_idx").on(t.projectId, t.createdAt.desc()),
    index("playbook_entries_source_job_idx").on(t.sourceJobId),
  ],
);

/** One row per cron slot that fired: makes each slot run once across all workers. */
export const scheduleRuns = memconsSchema.table(
  "schedule_runs",
  {
    scheduleName: text("schedule_name").notNull(),
    slotTime: timestamptz("slot_time").notNull(),
    firedAt: timestamptz("fired_at").notNull().defaultNow(),
    firedBy: text("fired_by").notNull(),
    summary: jsonb("summary").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.scheduleName, t.slotTime] })],
);

/** Stored API tokens: only a SHA-256 digest of each token is kept, never the token itself. */
export const apiTokens = memconsSchema.table(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    scopes: text("scopes").array().$type<ApiScope[]>().notNull(),
    /** Projects the token may touch; NULL means every project. */
    projectIds: uuid("project_ids").array(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    lastUsedAt: timestamptz("last_used_at"),
    expiresAt: timestamptz("expires_at"),
    revokedAt: timestamptz("revoked_at"),
  },
  (t) => [
    uniqueIndex("api_tokens_name_idx").on(t.name),
    uniqueIndex("api_tokens_token_hash_idx").on(t.tokenHash),
    check("api_tokens_name_format", sql`${t.name} ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'`),
    check("api_tokens_scopes_not_empty", sql`cardinality(${t.scopes}) > 0`),
  ],
);

/** A pair of members and how similar they are, as stored on proposals and plan items. */
export interface PairSimilarity {
  a: string;
  b: string;
  similarity: number;
}

/**
 * Review proposals: clusters too loose to merge on their own (weakest pair between review_threshold and
 * similarity_threshold) and pairs the contradiction guard kept apart; a person or a judge decides.
 */
export const consolidationProposals = memconsSchema.table(
  "consolidation_proposals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    // The job whose detection proposed it.
    jobId: uuid("job_id").references(() => consolidationJobs.id, { onDelete: "set null" }),
    memberIds: uuid("member_ids").array().notNull(),
    // Each member's version when proposed; approval refuses when one changed since.
    memberVersions: integer("member_versions").array().notNull(),
    // The sorted member ids joined by commas: the same members are proposed once.
    memberKey: text("member_key").notNull(),
    similarities: jsonb("similarities").$type<PairSimilarity[]>().notNull().default([]),
    minSimilarity: real("min_similarity").notNull(),
    // `borderline`, or the contradiction guard's reason.
    reason: text("reason").notNull(),
    status: text("status", { enum: PROPOSAL_STATUSES }).notNull().default("pending"),
    decidedBy: text("decided_by"),
    decidedAt: timestamptz("decided_at"),
    judgeVerdict: text("judge_verdict", { enum: JUDGE_VERDICTS }),
    judgeRationale: text("judge_rationale"),
    judgeModel: text("judge_model"),
    // The job that merged the members of an approved proposal.
    appliedJobId: uuid("applied_job_id").references(() => consolidationJobs.id, { onDelete: "set null" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [
    check("consolidation_proposals_status_valid", sql`${t.status} IN (${inList(PROPOSAL_STATUSES)})`),
    check(
      "consolidation_proposals_verdict_valid",
      sql`${t.judgeVerdict} IS NULL OR ${t.judgeVerdict} IN (${inList(JUDGE_VERDICTS)})`,
    ),
    check("consolidation_proposals_members", sql`cardinality(${t.memberIds}) >= 2`),
    index("consolidation_proposals_project_status_idx").on(t.projectId, t.status, t.createdAt.desc(), t.id.desc()),
    index("consolidation_proposals_job_idx").on(t.jobId),
    // A pending or rejected set of members is never proposed a second time.
    uniqueIndex("consolidation_proposals_open_members")
      .on(t.projectId, t.memberKey)
      .where(sql`${t.status} IN ('pending', 'rejected')`),
  ],
);

/** The plan a dry-run job stored instead of changing memories; one row per dry-run job. */
export const consolidationPlans = memconsSchema.table(
  "consolidation_plans",
  {
    jobId: uuid("job_id")
      .primaryKey()
      .references(() => consolidationJobs.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    status: text("status", { enum: PLAN_STATUSES }).notNull().default("ready"),
    // Counts per kind of decision.
    summary: jsonb("summary").$type<Record<string, unknown>>().notNull().default({}),
    decidedBy: text("decided_by"),
    decidedAt: timestamptz("decided_at"),
    // The job that applied the plan.
    appliedJobId: uuid("applied_job_id").references(() => consolidationJobs.id, { onDelete: "set null" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [
    check("consolidation_plans_status_valid", sql`${t.status} IN (${inList(PLAN_STATUSES)})`),
    index("consolidation_plans_project_idx").on(t.projectId, t.createdAt.desc()),
  ],
);

/** One decision of a plan: a cluster to merge (with its summary), a batch of memories to archive or promote, a cluster to review. */
export const consolidationPlanItems = memconsSchema.table(
  "consolidation_plan_items",
  {
    jobId: uuid("job_id")
      .notNull()
      .references(() => consolidationPlans.jobId, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    kind: text("kind", { enum: PLAN_ITEM_KINDS }).notNull(),
    memoryIds: uuid("memory_ids").array().notNull(),
    // Each memory's version when planned; applying skips (and first refuses) memories changed since.
    memoryVersions: integer("memory_versions").array().notNull(),
    similarities: jsonb("similarities").$type<PairSimilarity[]>(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.position] }),
    check("consolidation_plan_items_kind_valid", sql`${t.kind} IN (${inList(PLAN_ITEM_KINDS)})`),
  ],
);

export type Project = typeof projects.$inferSelect;
export type NewProject = typeof projects.$inferInsert;
export type TaskMemory = typeof taskMemories.$inferSelect;
export type NewTaskMemory = typeof taskMemories.$inferInsert;
export type ConsolidationJob = typeof consolidationJobs.$inferSelect;
export type NewConsolidationJob = typeof consolidationJobs.$inferInsert;
export type ConsolidationChange = typeof consolidationChanges.$inferSelect;
export type NewConsolidationChange = typeof consolidationChanges.$inferInsert;
export type PlaybookEntry = typeof playbookEntries.$inferSelect;
export type NewPlaybookEntry = typeof playbookEntries.$inferInsert;
export type ScheduleRun = typeof scheduleRuns.$inferSelect;
export type NewScheduleRun = typeof scheduleRuns.$inferInsert;
export type ApiToken = typeof apiTokens.$inferSelect;
export type NewApiToken = typeof apiTokens.$inferInsert;
export type ConsolidationProposal = typeof consolidationProposals.$inferSelect;
export type NewConsolidationProposal = typeof consolidationProposals.$inferInsert;
export type ConsolidationPlan = typeof consolidationPlans.$inferSelect;
export type ConsolidationPlanItem = typeof consolidationPlanItems.$inferSelect;
