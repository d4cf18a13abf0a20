import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";
import { loadConfig } from "../../common/config.js";
import { json } from "../format.js";
import { describeJob, openCliDatabase } from "./shared.js";

/** `memcons status <jobId>`: prints the job as JSON (exit 1 when it does not exist). */
export async function statusCommand(cmd: Extract<Command, { name: "status" }>, io: CliIo): Promise<number> {
  const db = await openCliDatabase(loadConfig(io.env));
  try {
    io.stdout.write(json(await describeJob(db, cmd.jobId)));
    return 0;
  } finally {
    await db.close();
  }
}
