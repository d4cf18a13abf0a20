import type { CliIo } from "../io.js";
import { loadConfig } from "../../common/config.js";
import { openDatabase } from "../../common/db.js";

/** `memcons migrate`: applies pending migrations and says which. */
export async function migrateCommand(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const { db, applied } = await openDatabase(config, { migrate: true, applicationName: "memcons-cli" });
  await db.close();
  io.stdout.write(applied.length ? `Applied migrations: ${applied.join(", ")}\n` : "Database schema is current.\n");
  return 0;
}
