import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type Database, MigrationFailedError, migrate, migrationStatus } from "../src/index.js";
import { LEGACY_MIGRATIONS, MIGRATIONS } from "../src/migrations.generated.js";
import { createTestDatabase, testTargets } from "../src/testing/index.js";

/** Each test opens one or two embedded databases; starting PGlite is slow on a loaded machine. */
const SLOW = 180_000;
const hashOf = (text: string) => createHash("sha256").update(text).digest("hex");

/** Migrates the way the earlier layout did: tables and the `memcons_migrations` ledger in `public`. */
async function migrateEarlierLayout(db: Database, count = LEGACY_MIGRATIONS.length): Promise<void> {
  await db.rows(sql`create table public.memcons_migrations (
    tag text primary key, hash text not null, applied_at timestamptz not null default now())`);
  for (const migration of LEGACY_MIGRATIONS.slice(0, count)) {
    for (const statement of migration.sql.split("--> statement-breakpoint")) {
      if (statement.trim()) await db.rows(sql.raw(statement));
    }
    await db.rows(sql`insert into public.memcons_migrations (tag, hash) values (${migration.tag}, ${hashOf(migration.sql)})`);
  }
}

/** Columns, constraints and indexes of the memcons schema, for comparing two installations. */
async function structure(db: Database): Promise<string[]> {
  const columns = await db.rows<{ d: string }>(sql`
    select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as d
    from information_schema.columns where table_schema = 'memcons' and table_name <> 'migrations'`);
  const constraints = await db.rows<{ d: string }>(sql`
    select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(c.oid) as d
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = 'memcons'
      and conrelid <> 'memcons.migrations'::regclass`);
  const indexes = await db.rows<{ d: string }>(sql`
    select indexdef as d from pg_indexes where schemaname = 'memcons' and tablename <> 'migrations'`);
  const triggers = await db.rows<{ d: string }>(sql`
    select pg_get_triggerdef(t.oid) as d from pg_trigger t join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'memcons' and not t.tgisinternal`);
  const functions = await db.rows<{ d: string }>(sql`
    select p.proname || ' ' || md5(p.prosrc) as d from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('memcons', 'public')`);
  return [...columns, ...constraints, ...indexes, ...triggers, ...functions].map((row) => row.d).sort();
}

async function publicTables(db: Database): Promise<string[]> {
  const rows = await db.rows<{ name: string }>(
    sql`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
  );
  return rows.map((row) => row.name);
}

describe.each(testTargets(process.env.DATABASE_URL))("schema memcons on $driver", (target) => {
  it("moves an installation of the earlier layout out of public, keeping its data", async () => {
    const fresh = await createTestDatabase(target);
    const db = await createTestDatabase({ ...target, migrate: false });
    try {
      await migrateEarlierLayout(db);
      const [project] = await db.rows<{ id: string }>(
        sql`insert into public.projects (name, consolidation_threshold) values ('kept', 50) returning id`,
      );
      const [job] = await db.rows<{ id: string }>(sql`insert into public.consolidation_jobs (project_id, trigger_type)
        values (${project!.id}::uuid, 'manual') returning id`);
      await db.rows(sql`insert into public.task_memories (project_id, memory_type, execution_summary, tags)
        values (${project!.id}::uuid, 'discovery', 'kept memory', '{a,b}')`);
      await db.rows(sql`insert into public.consolidation_changes (consolidation_job_id, operation, reason)
        values (${job!.id}::uuid, 'archive', 'kept change')`);
      await db.rows(sql`insert into public.playbook_entries (project_id, content, category, source_job_id)
        values (${project!.id}::uuid, 'kept entry', 'testing', ${job!.id}::uuid)`);
      await db.rows(sql`insert into public.schedule_runs (schedule_name, slot_time, fired_by)
        values ('consolidation', '2026-01-01T00:00:00Z', 'w1')`);

      const result = await migrate(db);
      expect(result.movedFromPublic).toBe(true);
      expect(result.applied).toEqual(MIGRATIONS.slice(1).map((m) => m.tag));
      expect(await publicTables(db)).toEqual([]);
      expect(await migrationStatus(db)).toMatchObject({ current: true, pending: [] });
      const [kept] = await db.rows<{ p: string; m: string; c: string; e: string; s: string; j: string }>(sql`select
        (select name from memcons.projects where id = ${project!.id}::uuid) as p,
        (select execution_summary from memcons.task_memories) as m,
        (select reason from memcons.consolidation_changes) as c,
        (select content from memcons.playbook_entries) as e,
        (select fired_by from memcons.schedule_runs) as s,
        (select status from memcons.consolidation_jobs where id = ${job!.id}::uuid) as j`);
      expect(kept).toEqual({ p: "kept", m: "kept memory", c: "kept change", e: "kept entry", s: "w1", j: "pending" });
      // Foreign keys followed the tables: deleting the project cascades to its rows in memcons.
      await db.rows(sql`delete from memcons.projects`);
      const [left] = await db.rows<{ n: number }>(sql`select
        (select count(*) from memcons.task_memories) + (select count(*) from memcons.consolidation_jobs)
        + (select count(*) from memcons.consolidation_changes) + (select count(*) from memcons.playbook_entries) as n`);
      expect(Number(left!.n)).toBe(0);
      expect(await structure(db)).toEqual(await structure(fresh));
      expect((await migrate(db)).applied).toEqual([]);
    } finally {
      await db.close();
      await fresh.close();
    }
  }, SLOW);

  it("finishes the pending migrations of a partly migrated earlier installation before moving it", async () => {
    const fresh = await createTestDatabase(target);
    const db = await createTestDatabase({ ...target, migrate: false });
    try {
      await migrateEarlierLayout(db, 1);
      const result = await migrate(db);
      expect(result.movedFromPublic).toBe(true);
      expect(await publicTables(db)).toEqual([]);
      expect(await structure(db)).toEqual(await structure(fresh));
    } finally {
      await db.close();
      await fresh.close();
    }
  }, SLOW);

  it("leaves a consumer's own public.projects table and its data alone", async () => {
    const db = await createTestDatabase({ ...target, migrate: false });
    try {
      await db.rows(sql`create table public.projects (id serial primary key, title text not null)`);
      await db.rows(sql`insert into public.projects (title) values ('theirs')`);
      expect((await migrate(db)).applied).toEqual(MIGRATIONS.map((m) => m.tag));
      expect(await db.rows(sql`select id, title from public.projects`)).toEqual([{ id: 1, title: "theirs" }]);
      expect(await publicTables(db)).toEqual(["projects"]);
      await db.rows(sql`insert into memcons.projects (name) values ('ours')`);
      const [ours] = await db.rows<{ n: number }>(sql`select count(*)::int as n from memcons.projects`);
      expect(ours!.n).toBe(1);
    } finally {
      await db.close();
    }
  }, SLOW);

  it("migrates when the connection's search_path names another schema", async () => {
    const db = await createTestDatabase({ ...target, migrate: false, maxConnections: 1 });
    try {
      await db.rows(sql`create schema elsewhere`);
      await db.rows(sql`set search_path to elsewhere`);
      expect((await migrate(db)).applied).toEqual(MIGRATIONS.map((m) => m.tag));
      const [path] = await db.rows<{ path: string }>(sql`select current_setting('search_path') as path`);
      expect(path!.path).toBe("elsewhere");
      const [count] = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from information_schema.tables where table_schema = 'memcons'`,
      );
      expect(count!.n).toBe(11);
    } finally {
      await db.close();
    }
  }, SLOW);

  it("reports the server's message at the top of a failed migration", async () => {
    const db = await createTestDatabase({ ...target, migrate: false });
    try {
      await db.rows(sql`create schema memcons`);
      await db.rows(sql`create table memcons.projects (x int)`);
      const error = await migrate(db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationFailedError);
      expect(error).toMatchObject({ code: "migration_failed", tag: MIGRATIONS[0]!.tag });
      expect((error as Error).message).toBe(`Migration ${MIGRATIONS[0]!.tag} failed: relation "projects" already exists`);
      // Nothing of the failed call stays behind.
      const [ledger] = await db.rows<{ present: boolean }>(sql`select to_regclass('memcons.migrations') is not null as present`);
      expect(ledger!.present).toBe(false);
    } finally {
      await db.close();
    }
  }, SLOW);
});
