import { reembedProject } from "@memcons/consolidation-core";
import { loadConfig } from "../../common/config.js";
import { createProviders } from "../../common/providers.js";
import { json } from "../format.js";
import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";
import { openCliDatabase } from "./shared.js";

/** `memcons reembed <projectId>`: re-embeds a project's memories and playbook entries with the configured embedder. */
export async function reembedCommand(cmd: Extract<Command, { name: "reembed" }>, io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const { embedder } = createProviders(config);
  const db = await openCliDatabase(config);
  try {
    const result = await reembedProject(db, cmd.projectId, {
      embedder,
      all: cmd.all,
      signal: io.shutdown,
      onProgress: ({ done, total }) => {
        const line = `reembed ${embedder.model}: ${done}/${total}`;
        io.stderr.write(io.stderr.isTTY ? `\r${line}` : `${line}\n`);
      },
    });
    if (io.stderr.isTTY) io.stderr.write("\n");
    io.stdout.write(json(result));
    return 0;
  } finally {
    await db.close();
  }
}
