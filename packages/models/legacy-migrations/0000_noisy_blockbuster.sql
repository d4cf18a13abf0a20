CREATE TABLE "consolidation_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"consolidation_job_id" uuid NOT NULL,
	"operation" text NOT NULL,
	"memory_id" uuid,
	"previous_state" jsonb,
	"new_state" jsonb,
	"reason" text,
	"confidence" real,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"changed_by" text DEFAULT 'system' NOT NULL,
	CONSTRAINT "consolidation_changes_operation_valid" CHECK ("consolidation_changes"."operation" IN ('merge', 'archive', 'promote', 'summarize', 'rollback')),
	CONSTRAINT "consolidation_changes_confidence_range" CHECK ("consolidation_changes"."confidence" IS NULL OR "consolidation_changes"."confidence" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE TABLE "consolidation_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"trigger_type" text NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"scope" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"memories_merged" integer DEFAULT 0 NOT NULL,
	"memories_archived" integer DEFAULT 0 NOT NULL,
	"memories_promoted" integer DEFAULT 0 NOT NULL,
	"summaries_created" integer DEFAULT 0 NOT NULL,
	"phases_completed" text[] DEFAULT '{}'::text[] NOT NULL,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" real DEFAULT 0 NOT NULL,
	"retry_count" integer DEFAULT 0 NOT NULL,
	"max_retries" integer DEFAULT 3 NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"cancel_requested_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"duration_seconds" real,
	"error_message" text,
	"triggered_by" text DEFAULT 'system' NOT NULL,
	"rolled_back_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consolidation_jobs_status_valid" CHECK ("consolidation_jobs"."status" IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
	CONSTRAINT "consolidation_jobs_trigger_type_valid" CHECK ("consolidation_jobs"."trigger_type" IN ('scheduled', 'manual', 'threshold')),
	CONSTRAINT "consolidation_jobs_counters_non_negative" CHECK ("consolidation_jobs"."memories_merged" >= 0 AND "consolidation_jobs"."memories_archived" >= 0 AND "consolidation_jobs"."memories_promoted" >= 0 AND "consolidation_jobs"."summaries_created" >= 0),
	CONSTRAINT "consolidation_jobs_progress_range" CHECK ("consolidation_jobs"."progress" BETWEEN 0 AND 1),
	CONSTRAINT "consolidation_jobs_retries_valid" CHECK ("consolidation_jobs"."retry_count" >= 0 AND "consolidation_jobs"."max_retries" >= 0),
	CONSTRAINT "consolidation_jobs_duration_non_negative" CHECK ("consolidation_jobs"."duration_seconds" IS NULL OR "consolidation_jobs"."duration_seconds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "playbook_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"content" text NOT NULL,
	"category" text NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"supporting_memory_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"embedding" real[],
	"source_job_id" uuid,
	"created_by" text DEFAULT 'system' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "playbook_entries_content_not_blank" CHECK (length(trim("playbook_entries"."content")) > 0)
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"consolidation_enabled" boolean DEFAULT true NOT NULL,
	"consolidation_threshold" integer,
	"consolidation_options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projects_name_not_blank" CHECK (length(trim("projects"."name")) > 0),
	CONSTRAINT "projects_threshold_range" CHECK ("projects"."consolidation_threshold" IS NULL OR "projects"."consolidation_threshold" BETWEEN 10 AND 1000)
);
--> statement-breakpoint
CREATE TABLE "schedule_runs" (
	"schedule_name" text NOT NULL,
	"slot_time" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone DEFAULT now() NOT NULL,
	"fired_by" text NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "schedule_runs_schedule_name_slot_time_pk" PRIMARY KEY("schedule_name","slot_time")
);
--> statement-breakpoint
CREATE TABLE "task_memories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"task_id" text,
	"memory_type" text NOT NULL,
	"execution_summary" text NOT NULL,
	"goal" text,
	"result" text,
	"feedback" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"file_paths" text[] DEFAULT '{}'::text[] NOT NULL,
	"context_embedding" real[],
	"success" boolean DEFAULT true NOT NULL,
	"reused_count" integer DEFAULT 0 NOT NULL,
	"last_reused_at" timestamp with time zone,
	"learned_at" timestamp with time zone DEFAULT now() NOT NULL,
	"is_duplicate" boolean DEFAULT false NOT NULL,
	"duplicate_of" uuid,
	"is_consolidated" boolean DEFAULT false NOT NULL,
	"consolidated_from" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"consolidated_at" timestamp with time zone,
	"synthesized_from" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"synthesized_at" timestamp with time zone,
	"synthesis_confidence" real,
	"needs_review" boolean DEFAULT false NOT NULL,
	"is_archived" boolean DEFAULT false NOT NULL,
	"archived_at" timestamp with time zone,
	"archive_reason" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_memories_memory_type_valid" CHECK ("task_memories"."memory_type" IN ('error_fix', 'discovery', 'decision', 'learning', 'warning', 'codebase_knowledge', 'consolidated', 'synthesis')),
	CONSTRAINT "task_memories_archive_reason_valid" CHECK ("task_memories"."archive_reason" IS NULL OR "task_memories"."archive_reason" IN ('staleness', 'low_value', 'manual')),
	CONSTRAINT "task_memories_reused_count_non_negative" CHECK ("task_memories"."reused_count" >= 0),
	CONSTRAINT "task_memories_version_positive" CHECK ("task_memories"."version" >= 1),
	CONSTRAINT "task_memories_confidence_range" CHECK ("task_memories"."synthesis_confidence" IS NULL OR "task_memories"."synthesis_confidence" BETWEEN 0 AND 1),
	CONSTRAINT "task_memories_summary_not_blank" CHECK (length(trim("task_memories"."execution_summary")) > 0),
	CONSTRAINT "task_memories_not_own_duplicate" CHECK ("task_memories"."duplicate_of" IS NULL OR "task_memories"."duplicate_of" <> "task_memories"."id")
);
--> statement-breakpoint
ALTER TABLE "consolidation_changes" ADD CONSTRAINT "consolidation_changes_consolidation_job_id_consolidation_jobs_id_fk" FOREIGN KEY ("consolidation_job_id") REFERENCES "public"."consolidation_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consolidation_jobs" ADD CONSTRAINT "consolidation_jobs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_entries" ADD CONSTRAINT "playbook_entries_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_entries" ADD CONSTRAINT "playbook_entries_source_job_id_consolidation_jobs_id_fk" FOREIGN KEY ("source_job_id") REFERENCES "public"."consolidation_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_memories" ADD CONSTRAINT "task_memories_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_memories" ADD CONSTRAINT "task_memories_duplicate_of_task_memories_id_fk" FOREIGN KEY ("duplicate_of") REFERENCES "public"."task_memories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consolidation_changes_job_idx" ON "consolidation_changes" USING btree ("consolidation_job_id");--> statement-breakpoint
CREATE INDEX "consolidation_changes_memory_idx" ON "consolidation_changes" USING btree ("memory_id");--> statement-breakpoint
CREATE INDEX "consolidation_changes_operation_idx" ON "consolidation_changes" USING btree ("operation");--> statement-breakpoint
CREATE INDEX "consolidation_changes_changed_at_idx" ON "consolidation_changes" USING btree ("changed_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "consolidation_jobs_project_created_idx" ON "consolidation_jobs" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "consolidation_jobs_project_status_idx" ON "consolidation_jobs" USING btree ("project_id","status");--> statement-breakpoint
CREATE INDEX "consolidation_jobs_created_idx" ON "consolidation_jobs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "consolidation_jobs_active_idx" ON "consolidation_jobs" USING btree ("status","run_at") WHERE "consolidation_jobs"."status" IN ('pending', 'running');--> statement-breakpoint
CREATE INDEX "consolidation_jobs_triggered_by_idx" ON "consolidation_jobs" USING btree ("triggered_by");--> statement-breakpoint
CREATE UNIQUE INDEX "consolidation_jobs_one_active_per_project" ON "consolidation_jobs" USING btree ("project_id") WHERE "consolidation_jobs"."status" IN ('pending', 'running');--> statement-breakpoint
CREATE INDEX "playbook_entries_project_idx" ON "playbook_entries" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "playbook_entries_source_job_idx" ON "playbook_entries" USING btree ("source_job_id");--> statement-breakpoint
CREATE INDEX "task_memories_project_created_idx" ON "task_memories" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "task_memories_project_active_idx" ON "task_memories" USING btree ("project_id","memory_type") WHERE "task_memories"."is_archived" = false AND "task_memories"."is_duplicate" = false;--> statement-breakpoint
CREATE INDEX "task_memories_project_unconsolidated_idx" ON "task_memories" USING btree ("project_id") WHERE "task_memories"."is_archived" = false AND "task_memories"."is_duplicate" = false AND "task_memories"."is_consolidated" = false;--> statement-breakpoint
CREATE INDEX "task_memories_duplicate_of_idx" ON "task_memories" USING btree ("duplicate_of");