import { z } from "@hono/zod-openapi";
import { CHANGE_OPERATIONS, JOB_STATUSES } from "@memcons/models";
import { CursorSchema, LimitSchema, text, TimestampSchema, UuidSchema } from "./common.js";
import { PartialOptionsSchema } from "./projects.js";

/** Body of POST /api/v1/consolidation/trigger. */
export const TriggerSchema = z
  .object({
    project_id: UuidSchema,
    options: PartialOptionsSchema.optional(),
    dry_run: z
      .boolean()
      .optional()
      .openapi({ description: "Plan only: store what the job would do (GET /api/v1/consolidation/plans/{job_id}) and change no memory" }),
  })
  .strict()
  .openapi("TriggerConsolidation");

/** Answer of a trigger. */
export const TriggerResultSchema = z
  .object({
    job_id: z.string(),
    status: z.enum(JOB_STATUSES),
    estimated_completion: z.string().openapi({ description: "ISO time the job is expected to finish" }),
    created: z.boolean().openapi({ description: "false when an active job already existed" }),
  })
  .openapi("TriggerResult");

/** Status of one job. */
export const JobStatusSchema = z
  .object({
    job_id: z.string(),
    project_id: z.string(),
    status: z.enum(JOB_STATUSES),
    trigger_type: z.string(),
    triggered_by: z.string(),
    progress: z.number(),
    created_at: z.string().nullable(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    duration_seconds: z.number().nullable(),
    retry_count: z.number().int(),
    memories_merged: z.number().int(),
    memories_archived: z.number().int(),
    memories_promoted: z.number().int(),
    summaries_created: z.number().int(),
    phases_completed: z.array(z.string()),
    consolidation_changes: z.array(z.string()),
    created_memory_ids: z.array(z.string()),
    error_message: z.string().nullable(),
    cancel_requested_at: z.string().nullable(),
    rolled_back_at: z.string().nullable(),
  })
  .openapi("JobStatus");

/** Body of POST /api/v1/consolidation/rollback. */
export const RollbackSchema = z
  .object({
    consolidation_id: UuidSchema,
    reason: text(1_000).optional(),
    force: z
      .boolean()
      .optional()
      .openapi({
        description:
          "Roll back everything except the memories changed after the job (listed in `skipped`) instead of answering 409",
      }),
  })
  .strict()
  .openapi("RollbackRequest");

/** A memory a rollback would have overwritten, with the columns changed after the job. */
const RollbackConflictSchema = z
  .object({
    memory_id: z.string().openapi({ format: "uuid" }),
    changed: z.array(z.string()).openapi({ example: ["is_archived", "archived_at"] }),
  })
  .openapi("RollbackConflict");

/** The 409 answer of a rollback: `conflicts` lists the memories changed after the job, when that is the cause. */
export const RollbackConflictErrorSchema = z
  .object({
    error: z.string().openapi({ example: "conflict" }),
    message: z.string(),
    conflicts: z.array(RollbackConflictSchema).optional(),
  })
  .openapi("RollbackConflictError");

/** Answer of a rollback. */
export const RollbackResultSchema = z
  .object({
    success: z.boolean(),
    rollback_id: z.string(),
    memories_restored: z.number().int(),
    memories_deleted: z.number().int(),
    playbook_entries_deleted: z.number().int().optional().openapi({ description: "Playbook entries the job had promoted" }),
    warnings: z.array(z.string()),
    skipped: z
      .array(RollbackConflictSchema)
      .openapi({ description: "With force: memories left as they are because they changed after the job" }),
  })
  .openapi("RollbackResult");

/** Query of the history endpoint. */
export const HistoryQuerySchema = z.object({
  from: TimestampSchema.optional().openapi({ description: "Jobs created at or after this time" }),
  to: TimestampSchema.optional().openapi({ description: "Jobs created before this time" }),
  operation: z.enum(CHANGE_OPERATIONS).optional().openapi({ description: "Only jobs with changes of this kind" }),
  status: z.enum(JOB_STATUSES).optional(),
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});

/** Query of a project's audit log. */
export const ProjectChangesQuerySchema = z.object({
  from: TimestampSchema.optional().openapi({ description: "Changes made at or after this time" }),
  to: TimestampSchema.optional().openapi({ description: "Changes made before this time" }),
  operation: z.enum(CHANGE_OPERATIONS).optional(),
  source: z
    .enum(["job", "manual"])
    .optional()
    .openapi({ description: "Only changes made by consolidation jobs (and their rollbacks) or only those made by hand" }),
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});

/** One audit row. */
export const ChangeSchema = z
  .object({
    id: z.string(),
    consolidation_job_id: z.string().nullable(),
    operation: z.string(),
    memory_id: z.string().nullable(),
    previous_state: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "State before the change; null when the change created the memory or entry" }),
    new_state: z.record(z.string(), z.unknown()).nullable(),
    reason: z.string().nullable(),
    confidence: z.number().nullable(),
    changed_at: z.string().nullable(),
    changed_by: z.string(),
  })
  .openapi("Change");

/** One job in the history, with its counts and (a bounded list of) its changes. */
export const HistoryJobSchema = z
  .object({
    id: z.string(),
    project_id: z.string(),
    kind: z.string().openapi({ description: "Job kind; consolidation jobs are `consolidation`" }),
    status: z.string(),
    trigger_type: z.string(),
    options: z.record(z.string(), z.unknown()),
    scope: z.record(z.string(), z.unknown()),
    memories_merged: z.number().int(),
    memories_archived: z.number().int(),
    memories_promoted: z.number().int(),
    summaries_created: z.number().int(),
    phases_completed: z.array(z.string()),
    metrics: z.record(z.string(), z.unknown()),
    progress: z.number(),
    retry_count: z.number().int(),
    max_retries: z.number().int(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    duration_seconds: z.number().nullable(),
    error_message: z.string().nullable(),
    triggered_by: z.string(),
    rolled_back_at: z.string().nullable(),
    created_at: z.string().nullable(),
    memories_before: z.number().int().nullable(),
    memories_after: z.number().int().nullable(),
    changes: z.array(ChangeSchema),
    changes_total: z.number().int(),
  })
  .openapi("HistoryJob");

/** A page of job history. */
export const HistoryPageSchema = z
  .object({ jobs: z.array(HistoryJobSchema), next_cursor: z.string().nullable() })
  .openapi("HistoryPage");

/** Query of the events stream. */
export const EventsQuerySchema = z.object({
  project_id: UuidSchema.optional().openapi({ description: "Only events of this project" }),
});
