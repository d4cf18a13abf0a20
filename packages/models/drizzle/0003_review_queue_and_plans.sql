CREATE TABLE "memcons"."consolidation_plan_items" (
	"job_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"memory_ids" uuid[] NOT NULL,
	"memory_versions" integer[] NOT NULL,
	"similarities" jsonb,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "consolidation_plan_items_job_id_position_pk" PRIMARY KEY("job_id","position"),
	CONSTRAINT "consolidation_plan_items_kind_valid" CHECK ("memcons"."consolidation_plan_items"."kind" IN ('merge', 'archive', 'promote', 'review'))
);
--> statement-breakpoint
CREATE TABLE "memcons"."consolidation_plans" (
	"job_id" uuid PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"status" text DEFAULT 'ready' NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"applied_job_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consolidation_plans_status_valid" CHECK ("memcons"."consolidation_plans"."status" IN ('ready', 'applied', 'discarded'))
);
--> statement-breakpoint
CREATE TABLE "memcons"."consolidation_proposals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"job_id" uuid,
	"member_ids" uuid[] NOT NULL,
	"member_versions" integer[] NOT NULL,
	"member_key" text NOT NULL,
	"similarities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"min_similarity" real NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"judge_verdict" text,
	"judge_rationale" text,
	"judge_model" text,
	"applied_job_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consolidation_proposals_status_valid" CHECK ("memcons"."consolidation_proposals"."status" IN ('pending', 'approved', 'rejected')),
	CONSTRAINT "consolidation_proposals_verdict_valid" CHECK ("memcons"."consolidation_proposals"."judge_verdict" IS NULL OR "memcons"."consolidation_proposals"."judge_verdict" IN ('approve', 'reject')),
	CONSTRAINT "consolidation_proposals_members" CHECK (cardinality("memcons"."consolidation_proposals"."member_ids") >= 2)
);
--> statement-breakpoint
ALTER TABLE "memcons"."consolidation_plan_items" ADD CONSTRAINT "consolidation_plan_items_job_id_consolidation_plans_job_id_fk" FOREIGN KEY ("job_id") REFERENCES "memcons"."consolidation_plans"("job_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."consolidation_plans" ADD CONSTRAINT "consolidation_plans_job_id_consolidation_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "memcons"."consolidation_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."consolidation_plans" ADD CONSTRAINT "consolidation_plans_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "memcons"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."consolidation_plans" ADD CONSTRAINT "consolidation_plans_applied_job_id_consolidation_jobs_id_fk" FOREIGN KEY ("applied_job_id") REFERENCES "memcons"."consolidation_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."consolidation_proposals" ADD CONSTRAINT "consolidation_proposals_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "memcons"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."consolidation_proposals" ADD CONSTRAINT "consolidation_proposals_job_id_consolidation_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "memcons"."consolidation_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memcons"."consolidation_proposals" ADD CONSTRAINT "consolidation_proposals_applied_job_id_consolidation_jobs_id_fk" FOREIGN KEY ("applied_job_id") REFERENCES "memcons"."consolidation_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consolidation_plans_project_idx" ON "memcons"."consolidation_plans" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "consolidation_proposals_project_status_idx" ON "memcons"."consolidation_proposals" USING btree ("project_id","status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "consolidation_proposals_job_idx" ON "memcons"."consolidation_proposals" USING btree ("job_id");--> statement-breakpoint
CREATE UNIQUE INDEX "consolidation_proposals_open_members" ON "memcons"."consolidation_proposals" USING btree ("project_id","member_key") WHERE "memcons"."consolidation_proposals"."status" IN ('pending', 'rejected');