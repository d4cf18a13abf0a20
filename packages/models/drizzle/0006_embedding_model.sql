ALTER TABLE "playbook_entries" ADD COLUMN "embedding_model" text;--> statement-breakpoint
ALTER TABLE "task_memories" ADD COLUMN "embedding_model" text;