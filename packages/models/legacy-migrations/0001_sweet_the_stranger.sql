DROP INDEX "consolidation_changes_job_idx";--> statement-breakpoint
CREATE INDEX "consolidation_changes_job_memory_idx" ON "consolidation_changes" USING btree ("consolidation_job_id","memory_id");