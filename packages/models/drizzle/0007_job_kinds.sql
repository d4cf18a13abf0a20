DROP INDEX "consolidation_jobs_one_active_per_project";--> statement-breakpoint
ALTER TABLE "consolidation_jobs" ADD COLUMN "kind" text DEFAULT 'consolidation' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "consolidation_jobs_one_active_per_project_kind" ON "consolidation_jobs" USING btree ("project_id","kind") WHERE "consolidation_jobs"."status" IN ('pending', 'running');--> statement-breakpoint
ALTER TABLE "consolidation_jobs" ADD CONSTRAINT "consolidation_jobs_kind_valid" CHECK ("consolidation_jobs"."kind" ~ '^[a-z][a-z0-9_-]{0,62}$');