import { rollbackJob, RollbackConflictError } from "@memcons/consolidation-core";
import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";
import { loadConfig } from "../../common/config.js";
import { formatTable, json } from "../format.js";
import { openCliDatabase } from "./shared.js";

/**
 * `memcons rollback <jobId> [--force]`: undoes every change the job made and prints the result as JSON. On a
 * conflict (memories changed after the job) it lists those memories and exits 1; `--force` rolls back the rest.
 */
export async function rollbackCommand(cmd: Extract<Command, { name: "rollback" }>, io: CliIo): Promise<number> {
  const db = await openCliDatabase(loadConfig(io.env));
  try {
    const result = await rollbackJob(db, cmd.jobId, {
      actor: "cli",
      ...(cmd.reason !== undefined ? { reason: cmd.reason } : {}),
      force: cmd.force,
    });
    io.stdout.write(json({ success: true, ...result }));
    return 0;
  } catch (error) {
    if (!(error instanceof RollbackConflictError)) throw error;
    io.stderr.write(
      `memcons: cannot roll back job ${error.jobId}: ${error.conflicts.length} memories changed after it ran:\n\n` +
        formatTable(
          ["MEMORY", "CHANGED"],
          error.conflicts.map((c) => [c.memory_id, c.changed.join(", ")]),
        ) +
        `\nNothing was rolled back. Run 'memcons rollback ${error.jobId} --force' to roll back everything else and ` +
        "leave these memories as they are.\n",
    );
    return 1;
  } finally {
    await db.close();
  }
}
