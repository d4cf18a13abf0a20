import {
  backoffDelay,
  createDatabase,
  type Database,
  isTransientDbError,
  MemconsError,
  migrate,
  migrationStatus,
} from "@memcons/models";
import type { AppLogger } from "./logger.js";
import type { Config } from "./config.js";
import { lockEmbeddedDatabase } from "./pglite-lock.js";

/** The database schema is behind and this command does not migrate. */
export class SchemaNotCurrentError extends MemconsError {
  constructor(pending: readonly string[]) {
    super(
      "schema_not_current",
      `The database has pending migrations (${pending.join(", ")}): run 'memcons migrate' first`,
    );
  }
}

/**
 * Opens the configured database (an embedded PGlite directory is locked against a second process);
 * `migrate: true` applies pending migrations, otherwise they must be current.
 */
export async function openDatabase(
  config: Config,
  o: { migrate: boolean; applicationName?: string },
): Promise<{ db: Database; applied: string[] }> {
  const db = await openDatabaseHandle(config, o);
  try {
    return { db, applied: await prepareDatabase(db, o.migrate) };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Applies pending migrations (`migrate: true`) or checks that none are pending; returns the applied ones. */
export async function prepareDatabase(db: Database, migrateNow: boolean): Promise<string[]> {
  if (migrateNow) return (await migrate(db)).applied;
  const status = await migrationStatus(db);
  if (!status.current) throw new SchemaNotCurrentError(status.pending);
  return [];
}

/** Backoff of the start-up wait for the database: 0.5 s doubling up to 10 s, with jitter. */
const STARTUP_RETRY = { retries: Number.POSITIVE_INFINITY, factor: 2, minTimeoutMs: 500, maxTimeoutMs: 10_000, jitter: true };

/**
 * prepareDatabase, retried with backoff while the database is unreachable (a process may start before
 * its database); other errors reject at once. Rejects with the shutdown reason when `shutdown` fires first.
 */
export async function prepareDatabaseWhenReachable(
  db: Database,
  migrateNow: boolean,
  logger: AppLogger,
  shutdown: AbortSignal,
): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    if (shutdown.aborted) throw shutdown.reason ?? new Error("shutdown");
    try {
      return await prepareDatabase(db, migrateNow);
    } catch (error) {
      if (!isTransientDbError(error)) throw error;
      const delay = backoffDelay(attempt, STARTUP_RETRY);
      logger.warn({ err: error, attempt, retry_in_ms: delay }, "the database is unreachable; retrying");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done() {
          clearTimeout(timer);
          shutdown.removeEventListener("abort", done);
          resolve();
        }
        shutdown.addEventListener("abort", done, { once: true });
      });
    }
  }
}

/** Opens the configured database without touching it yet (a PostgreSQL pool connects on first use). */
export async function openDatabaseHandle(
  config: Config,
  o: { applicationName?: string },
): Promise<Database> {
  const unlock = lockEmbeddedDatabase(config.databaseUrl);
  let opened: Database;
  try {
    opened = await createDatabase(config.databaseUrl, {
      maxConnections: config.databaseMaxConnections,
      preparedStatements: config.databasePreparedStatements,
      applicationName: o.applicationName ?? "memcons",
      ...config.databaseTimeouts,
    });
  } catch (error) {
    unlock?.();
    throw error;
  }
  const db: Database = unlock
    ? {
        ...opened,
        async close() {
          try {
            await opened.close();
          } finally {
            unlock();
          }
        },
      }
    : opened;
  return db;
}
