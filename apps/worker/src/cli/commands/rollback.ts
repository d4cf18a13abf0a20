import { rollbackJob } from "@memcons/consolidation-core";
import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";
import { loadConfig } from "../../common/config.js";
import { json } from "../format.js";
import { openCliDatabase } from "./shared.js";

/** `memcons rollback <jobId>`: undoes every change the job made and prints the result as JSON. */
export async function rollbackCommand(cmd: Extract<Command, { name: "rollback" }>, io: CliIo): Promise<number> {
  const db = await openCliDatabase(loadConfig(io.env));
  try {
    const result = await rollbackJob(db, cmd.jobId, {
      actor: "cli",
      ...(cmd.reason !== undefined ? { reason: cmd.reason } : {}),
    });
    io.stdout.write(json({ success: true, ...result }));
    return 0;
  } finally {
    await db.close();
  }
}
