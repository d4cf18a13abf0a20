import { createDatabase, type Database, MemconsError, migrate, migrationStatus } from "@memcons/models";
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
  const unlock = lockEmbeddedDatabase(config.databaseUrl);
  let opened: Database;
  try {
    opened = await createDatabase(config.databaseUrl, {
      maxConnections: config.databaseMaxConnections,
      applicationName: o.applicationName ?? "memcons",
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
  try {
    if (o.migrate) return { db, applied: (await migrate(db)).applied };
    const status = await migrationStatus(db);
    if (!status.current) throw new SchemaNotCurrentError(status.pending);
    return { db, applied: [] };
  } catch (error) {
    await db.close();
    throw error;
  }
}
