CREATE SCHEMA IF NOT EXISTS "memcons";
--> statement-breakpoint
CREATE TABLE "memcons"."consolidation_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"consolidation_job_id" uuid,
	"operation" text NOT NULL,
	"memory_id" uuid,
	"previous_state" jsonb,
	"new_state" jsonb,
	"reason" text,
	"confidence" real,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"changed_by" text DEFAULT 'system' NOT NULL,
	CONSTRAINT "consolidation_changes_operation_valid" CHECK ("memcons"."consolidation_changes"."operation" IN ('merge', 'archive', 'promote', 'summarize', 'rollback', 'unarchive')),
	CONSTRAINT "consolidation_changes_confidence_range" CHECK ("memcons"."consolidation_changes"."confidence" IS NULL OR "memcons"."consolidation_changes"."confidence" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE TABLE "memcons"."consolidation_jobs" (
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
	CONSTRAINT "consolidation_jobs_status_valid" CHECK ("memcons"."consolidation_jobs"."status" IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
	CONSTRAINT "consolidation_jobs_trigger_type_valid" CHECK ("memcons"."consolidation_jobs"."trigger_type" IN ('scheduled', 'manual', 'threshold')),
	CONSTRAINT "consolidation_jobs_counters_non_negative" CHECK ("memcons"."consolidation_jobs"."memories_merged" >= 0 AND "memcons"."consolidation_jobs"."memories_archived" >= 0 AND "memcons"."consolidation_jobs"."memories_promoted" >= 0 AND "memcons"."consolidation_jobs"."summaries_created" >= 0),
	CONSTRAINT "consolidation_jobs_progress_range" CHECK ("memcons"."consolidation_jobs"."progress" BETWEEN 0 AND 1),
	CONSTRAINT "consolidation_jobs_retries_valid" CHECK ("memcons"."consolidation_jobs"."retry_count" >= 0 AND "memcons"."consolidation_jobs"."max_retries" >= 0),
	CONSTRAINT "consolidation_jobs_duration_non_negative" CHECK ("memcons"."consolidation_jobs"."duration_seconds" IS NULL OR "memcons"."consolidation_jobs"."duration_seconds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "memcons"."playbook_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"content" text NOT NULL,
	"category" text NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"supporting_memory_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"embedding" real[],
	"embedding_model" text,
	"source_job_id" uuid,
	"created_by" text DEFAULT 'system' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "playbook_entries_content_not_blank" CHECK (length(trim("memcons"."playbook_entries"."content")) > 0)
);
--> statement-breakpoint
CREATE TABLE "memcons"."projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"consolidation_enabled" boolean DEFAULT true NOT NULL,
	"consolidation_threshold" integer,
	"consolidation_options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projects_name_not_blank" CHECK (length(trim("memcons"."projects"."name")) > 0),
	CONSTRAINT "projects_threshold_range" CHECK ("memcons"."projects"."consolidation_threshold" IS NULL OR "memcons"."projects"."consolidation_threshold" BETWEEN 10 AND 1000)
);
--> statement-breakpoint
CREATE TABLE "memcons"."schedule_runs" (
	"schedule_name" text NOT NULL,
	"slot_time" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone DEFAULT now() NOT NULL,
	"fired_by" text NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "schedule_runs_schedule_name_slot_time_pk" PRIMARY KEY("schedule_name","slot_time")
);
--> statement-breakpoint
CREATE TABLE "memcons"."task_memories" (
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
	"embedding_model" text,
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
	CONSTRAINT "task_memories_memory_type_valid" CHECK ("memcons"."task_memories"."memory_type" IN ('error_fix', 'discovery', 'decision', 'learning', 'warning', 'codebase_knowledge', 'consolidated', 'synthesis')),
	CONSTRAINT "task_memories_archive_reason_valid" CHECK ("memcons"."task_memories"."archive_reason" IS NULL OR "memcons"."task_memories"."archive_reason" IN ('staleness', 'low_value', 'manual')),
	CONSTRAINT "task_memories_reused_count_non_negative" CHECK ("memcons"."task_memories"."reused_count" >= 0),
	CONSTRAINT "task_memories_version_positive" CHECK ("memcons"."task_memories"."version" >= 1),
	CONSTRAINT "task_memories_confidence_range" CHECK ("memcons"."task_memories"."synthesis_confidence" IS NULL OR "memcons"."task_memories"."synthesis_confidence" BETWEEN 0 AND 1),
	CONSTRAINT "task_memories_summary_not_blank" CHECK (length(trim("memcons"."task_memories"."execution_summary")) > 0),
	CONSTRAINT "task_memories_not_own_duplicate" CHECK ("memcons"."task_memories"."duplicate_of" IS NULL OR "memcons"."task_memories"."duplicate_of" <> "memcons"."task_memories"."id")
);
--> statement-breakpoint
ALTER TABLE "memcons"."consolidation_changes" ADD CONSTRAINT "consolidation_changes_consolidation_job_id_consolidation_jobs_id_fk" FOREIGN KEY ("consolidation_job_id") REFERENCES "memcons"."consolidation_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."consolidation_jobs" ADD CONSTRAINT "consolidation_jobs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "memcons"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."playbook_entries" ADD CONSTRAINT "playbook_entries_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "memcons"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."playbook_entries" ADD CONSTRAINT "playbook_entries_source_job_id_consolidation_jobs_id_fk" FOREIGN KEY ("source_job_id") REFERENCES "memcons"."consolidation_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."task_memories" ADD CONSTRAINT "task_memories_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "memcons"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."task_memories" ADD CONSTRAINT "task_memories_duplicate_of_task_memories_id_fk" FOREIGN KEY ("duplicate_of") REFERENCES "memcons"."task_memories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consolidation_changes_job_memory_idx" ON "memcons"."consolidation_changes" USING btree ("consolidation_job_id","memory_id");--> statement-breakpoint
CREATE INDEX "consolidation_changes_memory_idx" ON "memcons"."consolidation_changes" USING btree ("memory_id");--> statement-breakpoint
CREATE INDEX "consolidation_changes_operation_idx" ON "memcons"."consolidation_changes" USING btree ("operation");--> statement-breakpoint
CREATE INDEX "consolidation_changes_changed_at_idx" ON "memcons"."consolidation_changes" USING btree ("changed_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "consolidation_changes_job_changed_idx" ON "memcons"."consolidation_changes" USING btree ("consolidation_job_id","changed_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "consolidation_changes_manual_idx" ON "memcons"."consolidation_changes" USING btree ("changed_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "memcons"."consolidation_changes"."consolidation_job_id" IS NULL;--> statement-breakpoint
CREATE INDEX "consolidation_jobs_project_created_idx" ON "memcons"."consolidation_jobs" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "consolidation_jobs_project_status_idx" ON "memcons"."consolidation_jobs" USING btree ("project_id","status");--> statement-breakpoint
CREATE INDEX "consolidation_jobs_created_idx" ON "memcons"."consolidation_jobs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "consolidation_jobs_active_idx" ON "memcons"."consolidation_jobs" USING btree ("status","run_at") WHERE "memcons"."consolidation_jobs"."status" IN ('pending', 'running');--> statement-breakpoint
CREATE INDEX "consolidation_jobs_claim_idx" ON "memcons"."consolidation_jobs" USING btree ("run_at","created_at","id") WHERE "memcons"."consolidation_jobs"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "consolidation_jobs_triggered_by_idx" ON "memcons"."consolidation_jobs" USING btree ("triggered_by");--> statement-breakpoint
CREATE UNIQUE INDEX "consolidation_jobs_one_active_per_project" ON "memcons"."consolidation_jobs" USING btree ("project_id") WHERE "memcons"."consolidation_jobs"."status" IN ('pending', 'running');--> statement-breakpoint
CREATE INDEX "playbook_entries_project_idx" ON "memcons"."playbook_entries" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "playbook_entries_source_job_idx" ON "memcons"."playbook_entries" USING btree ("source_job_id");--> statement-breakpoint
CREATE INDEX "task_memories_project_created_idx" ON "memcons"."task_memories" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "task_memories_project_active_idx" ON "memcons"."task_memories" USING btree ("project_id","memory_type") WHERE "memcons"."task_memories"."is_archived" = false AND "memcons"."task_memories"."is_duplicate" = false;--> statement-breakpoint
CREATE INDEX "task_memories_project_unconsolidated_idx" ON "memcons"."task_memories" USING btree ("project_id") WHERE "memcons"."task_memories"."is_archived" = false AND "memcons"."task_memories"."is_duplicate" = false AND "memcons"."task_memories"."is_consolidated" = false;--> statement-breakpoint
CREATE INDEX "task_memories_duplicate_of_idx" ON "memcons"."task_memories" USING btree ("duplicate_of");--> statement-breakpoint
CREATE TABLE "memcons"."api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"project_ids" uuid[],
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_name_format" CHECK ("memcons"."api_tokens"."name" ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'),
	CONSTRAINT "api_tokens_scopes_not_empty" CHECK (cardinality("memcons"."api_tokens"."scopes") > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_name_idx" ON "memcons"."api_tokens" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_token_hash_idx" ON "memcons"."api_tokens" USING btree ("token_hash");--> statement-breakpoint
-- Every insert and update of a memory is stamped with the id of its transaction, so that a search
-- cache can read only the rows written since the oldest transaction that was running at its last read.
ALTER TABLE "memcons"."task_memories" ADD COLUMN "search_xid" bigint DEFAULT (pg_current_xact_id()::text::bigint) NOT NULL;--> statement-breakpoint
CREATE INDEX "task_memories_project_search_xid_idx" ON "memcons"."task_memories" USING btree ("project_id","search_xid");--> statement-breakpoint
CREATE FUNCTION "memcons"."task_memories_stamp_search_xid"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_xid := pg_current_xact_id()::text::bigint;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "task_memories_stamp_search_xid" BEFORE UPDATE ON "memcons"."task_memories"
  FOR EACH ROW EXECUTE FUNCTION "memcons"."task_memories_stamp_search_xid"();
