import { migrationStatements } from "@memcons/models";
import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";
import { loadConfig } from "../../common/config.js";
import { openDatabase } from "../../common/db.js";

/** `memcons migrate`: applies pending migrations and says which; `--print` prints their SQL instead. */
export async function migrateCommand(cmd: Extract<Command, { name: "migrate" }>, io: CliIo): Promise<number> {
  if (cmd.print) {
    io.stdout.write(migrationScript(cmd.skip));
    return 0;
  }
  const config = loadConfig(io.env);
  const { db, applied } = await openDatabase(config, { migrate: true, applicationName: "memcons-cli" });
  await db.close();
  io.stdout.write(applied.length ? `Applied migrations: ${applied.join(", ")}\n` : "Database schema is current.\n");
  return 0;
}

/** The migration SQL as one script: each statement of migrationStatements() ended by `;`, in one transaction. */
export function migrationScript(skip: readonly string[] = []): string {
  const statements = migrationStatements({ skip });
  const skipped = skip.length > 0 ? `-- Left out (applied elsewhere): ${skip.join(", ")}\n` : "";
  return (
    "-- memcons database migrations (memcons migrate --print); run as one transaction.\n" +
    skipped +
    "BEGIN;\n\n" +
    statements.map((statement) => `${statement};\n`).join("\n") +
    "\nCOMMIT;\n"
  );
}
