-- Every insert and update of a memory is stamped with the id of its transaction, so that a search
-- cache can read only the rows written since the oldest transaction that was running at its last read.
-- Existing rows get 0: they were committed before any cache read them.
ALTER TABLE "task_memories" ADD COLUMN "search_xid" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "task_memories" ALTER COLUMN "search_xid" SET DEFAULT (pg_current_xact_id()::text::bigint);--> statement-breakpoint
CREATE INDEX "task_memories_project_search_xid_idx" ON "task_memories" USING btree ("project_id","search_xid");--> statement-breakpoint
CREATE FUNCTION "task_memories_stamp_search_xid"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_xid := pg_current_xact_id()::text::bigint;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "task_memories_stamp_search_xid" BEFORE UPDATE ON "task_memories"
  FOR EACH ROW EXECUTE FUNCTION "task_memories_stamp_search_xid"();
