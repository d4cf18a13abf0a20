import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { queryRows } from "./database.js";
import { MigrationMismatchError } from "./errors.js";
import { MIGRATIONS } from "./migrations.generated.js";

const MIGRATION_LOCK_KEY = 7_314_159_265;
const BREAKPOINT = "--> statement-breakpoint";

/** What migrate() did. */
export interface MigrationResult {
  /** Tags of the migrations this call applied (empty when the schema was current). */
  applied: string[];
}

/** Migration state of a database, for readiness checks. */
export interface MigrationStatus {
  applied: string[];
  pending: string[];
  current: boolean;
}

/**
 * Applies every pending migration in one transaction; idempotent and safe when run concurrently.
 * Throws MigrationMismatchError, applying nothing, when an applied migration was since edited.
 */
export async function migrate(database: Database): Promise<MigrationResult> {
  return database.orm.transaction(async (tx) => {
    // Serializes concurrent migrators; released automatically at commit or rollback.
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`
      create table if not exists memcons_migrations (
        tag text primary key,
        hash text not null,
        applied_at timestamptz not null default now()
      )`);
    const done = new Map(
      (await queryRows<{ tag: string; hash: string }>(tx, sql`select tag, hash from memcons_migrations`)).map(
        (row) => [row.tag, row.hash],
      ),
    );
    const applied: string[] = [];
    for (const migration of MIGRATIONS) {
      const appliedHash = done.get(migration.tag);
      if (appliedHash !== undefined) {
        if (appliedHash !== hashOf(migration.sql)) throw new MigrationMismatchError(migration.tag);
        continue;
      }
      for (const statement of migration.sql.split(BREAKPOINT)) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(
        sql`insert into memcons_migrations (tag, hash) values (${migration.tag}, ${hashOf(migration.sql)})`,
      );
      applied.push(migration.tag);
    }
    return { applied };
  });
}

/** Reports which migrations are applied and which are pending. */
export async function migrationStatus(database: Database): Promise<MigrationStatus> {
  const exists = await database.rows<{ present: boolean }>(
    sql`select to_regclass('memcons_migrations') is not null as present`,
  );
  const applied = exists[0]?.present
    ? (await database.rows<{ tag: string }>(sql`select tag from memcons_migrations order by tag`)).map(
        (row) => row.tag,
      )
    : [];
  const appliedSet = new Set(applied);
  const pending = MIGRATIONS.map((m) => m.tag).filter((tag) => !appliedSet.has(tag));
  return { applied, pending, current: pending.length === 0 };
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
