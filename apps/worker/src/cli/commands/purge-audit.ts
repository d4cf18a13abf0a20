import { purgeAuditRecords } from "@memcons/consolidation-core";
import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";
import { ConfigError, loadConfig } from "../../common/config.js";
import { json } from "../format.js";
import { openCliDatabase } from "./shared.js";

/** `memcons purge-audit`: deletes audit rows older than the retention period and prints how many. */
export async function purgeAuditCommand(cmd: Extract<Command, { name: "purge-audit" }>, io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const days = cmd.olderThanDays ?? config.auditRetentionDays;
  if (days === 0) {
    throw new ConfigError("AUDIT_RETENTION_DAYS", "is 0 (audit rows are kept forever); pass --older-than-days to purge anyway");
  }
  const db = await openCliDatabase(config);
  try {
    const { deleted } = await purgeAuditRecords(db, { olderThanDays: days });
    io.stdout.write(json({ deleted, older_than_days: days }));
    return 0;
  } finally {
    await db.close();
  }
}
