import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database, Executor } from "./database.js";
import { queryRows } from "./database.js";
import { MigrationFailedError, MigrationMismatchError } from "./errors.js";
import { LEGACY_MIGRATIONS, MIGRATIONS } from "./migrations.generated.js";

const MIGRATION_LOCK_KEY = 7_314_159_265;
const BREAKPOINT = "--> statement-breakpoint";
/** The tables of the earlier layout, which kept them in `public`. */
const LEGACY_TABLES = [
  "projects",
  "task_memories",
  "consolidation_jobs",
  "consolidation_changes",
  "playbook_entries",
  "schedule_runs",
  "api_tokens",
] as const;

/** What migrate() did. */
export interface MigrationResult {
  /** Tags of the migrations this call applied (empty when the schema was current). */
  applied: string[];
  /** True when this call moved an installation of the earlier layout from `public` into `memcons`. */
  movedFromPublic: boolean;
}

/** Migration state of a database, for readiness checks. */
export interface MigrationStatus {
  applied: string[];
  pending: string[];
  current: boolean;
}

/**
 * Applies every pending migration in one transaction; idempotent and safe when run concurrently.
 * Throws MigrationMismatchError, applying nothing, when an applied migration was since edited,
 * and MigrationFailedError (carrying the server's message) when a statement fails.
 */
export async function migrate(database: Database): Promise<MigrationResult> {
  let current: string | undefined;
  try {
    return await database.orm.transaction(async (tx) => {
      // Serializes concurrent migrators; released automatically at commit or rollback.
      await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      await tx.execute(sql`create schema if not exists memcons`);
      await tx.execute(sql`
        create table if not exists memcons.migrations (
          tag text primary key,
          hash text not null,
          applied_at timestamptz not null default now()
        )`);
      const movedFromPublic = await moveLegacyInstallation(tx, (tag) => {
        current = tag;
      });
      const done = new Map(
        (await queryRows<{ tag: string; hash: string }>(tx, sql`select tag, hash from memcons.migrations`)).map(
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
        current = migration.tag;
        await runStatements(tx, migration.sql);
        await recordApplied(tx, migration.tag, migration.sql);
        applied.push(migration.tag);
      }
      return { applied, movedFromPublic };
    });
  } catch (error) {
    if (error instanceof MigrationMismatchError) throw error;
    throw new MigrationFailedError(current, error);
  }
}

/**
 * The SQL that migrate() runs on an empty database, one statement per element, ending each migration
 * with its row in `memcons.migrations`, so that migrate() later finds it applied. For teams whose
 * migrations run through another tool; `skip` leaves out migrations already applied there.
 */
export function migrationStatements(options: { skip?: readonly string[] } = {}): string[] {
  const skip = new Set(options.skip ?? []);
  const statements = [
    "create schema if not exists memcons",
    `create table if not exists memcons.migrations (
  tag text primary key,
  hash text not null,
  applied_at timestamptz not null default now()
)`,
  ];
  for (const migration of MIGRATIONS) {
    if (skip.has(migration.tag)) continue;
    for (const statement of migration.sql.split(BREAKPOINT)) {
      if (statement.trim()) statements.push(statement.trim().replace(/;$/, ""));
    }
    statements.push(
      `insert into memcons.migrations (tag, hash) values ('${migration.tag}', '${hashOf(migration.sql)}')`,
    );
  }
  return statements;
}

/** Reports which migrations are applied and which are pending. */
export async function migrationStatus(database: Database): Promise<MigrationStatus> {
  const exists = await database.rows<{ present: boolean }>(
    sql`select to_regclass('memcons.migrations') is not null as present`,
  );
  const applied = exists[0]?.present
    ? (await database.rows<{ tag: string }>(sql`select tag from memcons.migrations order by tag`)).map(
        (row) => row.tag,
      )
    : [];
  const appliedSet = new Set(applied);
  const pending = MIGRATIONS.map((m) => m.tag).filter((tag) => !appliedSet.has(tag));
  return { applied, pending, current: pending.length === 0 };
}

/**
 * Upgrades an installation of the earlier layout (tables and ledger `memcons_migrations` in
 * `public`): finishes its pending migrations there, moves its tables with their data, indexes and
 * constraints into `memcons`, and records the first migration of this layout as applied.
 */
async function moveLegacyInstallation(tx: Executor, onMigration: (tag: string) => void): Promise<boolean> {
  const [ledger] = await queryRows<{ present: boolean }>(
    tx,
    sql`select to_regclass('public.memcons_migrations') is not null as present`,
  );
  if (!ledger?.present) return false;
  const done = new Map(
    (await queryRows<{ tag: string; hash: string }>(tx, sql`select tag, hash from public.memcons_migrations`)).map(
      (row) => [row.tag, row.hash],
    ),
  );
  const [previous] = await queryRows<{ path: string }>(tx, sql`select current_setting('search_path') as path`);
  await tx.execute(sql`select set_config('search_path', 'public', true)`);
  for (const migration of LEGACY_MIGRATIONS) {
    const appliedHash = done.get(migration.tag);
    if (appliedHash !== undefined) {
      if (appliedHash !== hashOf(migration.sql)) throw new MigrationMismatchError(migration.tag);
      continue;
    }
    onMigration(migration.tag);
    await runStatements(tx, migration.sql);
  }
  await tx.execute(sql`select set_config('search_path', ${previous?.path ?? "public"}, true)`);
  const [baseline] = MIGRATIONS;
  if (!baseline) return false;
  onMigration(baseline.tag);
  for (const table of LEGACY_TABLES) {
    await tx.execute(sql.raw(`alter table public."${table}" set schema memcons`));
  }
  // The trigger moved with its table; the function it calls moves too.
  await tx.execute(sql`alter function public.task_memories_stamp_search_xid() set schema memcons`);
  await tx.execute(sql`drop table public.memcons_migrations`);
  await recordApplied(tx, baseline.tag, baseline.sql);
  return true;
}

async function runStatements(tx: Executor, migrationSql: string): Promise<void> {
  for (const statement of migrationSql.split(BREAKPOINT)) {
    if (statement.trim()) await tx.execute(sql.raw(statement));
  }
}

async function recordApplied(tx: Executor, tag: string, migrationSql: string): Promise<void> {
  await tx.execute(sql`insert into memcons.migrations (tag, hash) values (${tag}, ${hashOf(migrationSql)})`);
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
