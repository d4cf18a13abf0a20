import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  ARCHIVE_REASONS,
  CHANGE_OPERATIONS,
  JOB_STATUSES,
  MEMORY_TYPES,
  TRIGGER_TYPES,
} from "./enums.js";

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/** Projects whose agents write memories; each carries its consolidation settings. */
export const projects = pgTable(
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
export const taskMemories = pgTable(
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
    index("task_memories_project_active_idx")
      .on(t.projectId, t.memoryType)
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
export const consolidationJobs = pgTable(
  "consolidation_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
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
  },
  (t) => [
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
    index("consolidation_jobs_project_status_idx").on(t.projectId, t.status),
    index("consolidation_jobs_created_idx").on(t.createdAt),
    index("consolidation_jobs_active_idx")
      .on(t.status, t.runAt)
      .where(sql`${t.status} IN ('pending', 'running')`),
    // Serves the claim order exactly (id breaks ties: a sweep enqueues thousands of jobs with one run_at).
    index("consolidation_jobs_claim_idx")
      .on(t.runAt, t.createdAt, t.id)
      .where(sql`${t.status} = 'pending'`),
    index("consolidation_jobs_triggered_by_idx").on(t.triggeredBy),
    uniqueIndex("consolidation_jobs_one_active_per_project")
      .on(t.projectId)
      .where(sql`${t.status} IN ('pending', 'running')`),
  ],
);

/** The audit trail: one row per memory or playbook entry a job (or its rollback) or an admin changed. */
export const consolidationChanges = pgTable(
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
export const playbookEntries = pgTable(
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
export const scheduleRuns = pgTable(
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
