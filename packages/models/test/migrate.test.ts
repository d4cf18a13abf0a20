import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase, MigrationMismatchError, migrate, migrationStatements, migrationStatus } from "../src/index.js";
import { MIGRATIONS } from "../src/migrations.generated.js";
import { createTestDatabase, preferredTarget, testTargets } from "../src/testing/index.js";
import { readFileSync } from "node:fs";

describe.each(testTargets(process.env.DATABASE_URL))("migrate on $driver", (target) => {
  it("applies every migration once and is idempotent", async () => {
    const db = await createTestDatabase({ ...target, migrate: false });
    try {
      expect((await migrationStatus(db)).current).toBe(false);
      const first = await migrate(db);
      expect(first.applied).toEqual(MIGRATIONS.map((m) => m.tag));
      const second = await migrate(db);
      expect(second.applied).toEqual([]);
      expect(await migrationStatus(db)).toMatchObject({ current: true, pending: [] });
      const tables = await db.rows<{ name: string }>(
        sql`select table_name as name from information_schema.tables where table_schema = 'memcons' order by 1`,
      );
      expect(tables.map((t) => t.name)).toEqual([
        "api_tokens",
        "consolidation_changes",
        "consolidation_jobs",
        "consolidation_plan_items",
        "consolidation_plans",
        "consolidation_proposals",
        "migrations",
        "playbook_entries",
        "projects",
        "schedule_runs",
        "task_memories",
      ]);
      const elsewhere = await db.rows<{ name: string }>(
        sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public'`,
      );
      expect(elsewhere).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it("refuses, applying nothing, when an applied migration was edited since", async () => {
    const db = await createTestDatabase({ ...target, migrate: false });
    try {
      await migrate(db);
      const [first] = MIGRATIONS;
      // With several migrations, one is left pending to show that nothing gets applied.
      const later = MIGRATIONS.length > 1 ? MIGRATIONS.at(-1)!.tag : "0000_not_a_migration";
      await db.rows(sql`update memcons.migrations set hash = 'edited' where tag = ${first!.tag}`);
      await db.rows(sql`delete from memcons.migrations where tag = ${later}`);
      const error = await migrate(db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationMismatchError);
      expect(error).toMatchObject({ code: "migration_mismatch", tag: first!.tag, permanent: true });
      expect((await migrationStatus(db)).pending).toEqual(MIGRATIONS.length > 1 ? [later] : []);
    } finally {
      await db.close();
    }
  });
});

describe.runIf(preferredTarget(process.env.DATABASE_URL).driver === "postgres")("migrate concurrency", () => {
  it("lets two processes migrate one empty database at once", async () => {
    const holder = await createTestDatabase({ ...preferredTarget(process.env.DATABASE_URL), migrate: false });
    const a = await createDatabase(holder.url);
    const b = await createDatabase(holder.url);
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(MIGRATIONS.map((m) => m.tag).sort());
      expect((await migrationStatus(a)).current).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await holder.close();
    }
  });
});

describe("embedded migrations", () => {
  it("match the drizzle-kit output committed in ./drizzle", () => {
    const journal = JSON.parse(readFileSync(new URL("../drizzle/meta/_journal.json", import.meta.url), "utf8")) as {
      entries: Array<{ tag: string }>;
    };
    expect(MIGRATIONS.map((m) => m.tag)).toEqual(journal.entries.map((e) => e.tag));
    for (const migration of MIGRATIONS) {
      expect(migration.sql).toBe(readFileSync(new URL(`../drizzle/${migration.tag}.sql`, import.meta.url), "utf8"));
    }
  });
});

describe.each(testTargets(process.env.DATABASE_URL))("migrationStatements on $driver", (target) => {
  it("builds a schema that migrate() then finds current", async () => {
    const db = await createTestDatabase({ ...target, migrate: false });
    try {
      for (const statement of migrationStatements()) await db.rows(sql.raw(statement));
      expect(await migrationStatus(db)).toMatchObject({ current: true, pending: [] });
      expect((await migrate(db)).applied).toEqual([]);
      const [count] = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from information_schema.tables where table_schema = 'memcons'`,
      );
      expect(count!.n).toBe(11);
    } finally {
      await db.close();
    }
  }, 180_000);

  it("leaves out the migrations named in skip", () => {
    const all = migrationStatements();
    const skipped = migrationStatements({ skip: MIGRATIONS.map((m) => m.tag) });
    expect(skipped).toHaveLength(2);
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((s) => s.startsWith("insert into memcons.migrations"))).toHaveLength(MIGRATIONS.length);
  });
});
