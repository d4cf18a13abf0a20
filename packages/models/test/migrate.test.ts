import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase, MigrationMismatchError, migrate, migrationStatus } from "../src/index.js";
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
        sql`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      expect(tables.map((t) => t.name)).toEqual([
        "consolidation_changes",
        "consolidation_jobs",
        "consolidation_plan_items",
        "consolidation_plans",
        "consolidation_proposals",
        "memcons_migrations",
        "playbook_entries",
        "projects",
        "schedule_runs",
        "task_memories",
      ]);
    } finally {
      await db.close();
    }
  });

  it("refuses, applying nothing, when an applied migration was edited since", async () => {
    const db = await createTestDatabase({ ...target, migrate: false });
    try {
      await migrate(db);
      const [first] = MIGRATIONS;
      await db.rows(sql`update memcons_migrations set hash = 'edited' where tag = ${first!.tag}`);
      await db.rows(sql`delete from memcons_migrations where tag = ${MIGRATIONS.at(-1)!.tag}`);
      const error = await migrate(db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationMismatchError);
      expect(error).toMatchObject({ code: "migration_mismatch", tag: first!.tag, permanent: true });
      expect((await migrationStatus(db)).pending).toEqual([MIGRATIONS.at(-1)!.tag]);
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
