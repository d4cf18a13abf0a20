import { MemconsError } from "@memcons/models";
import { ConfigError } from "../common/config.js";
import { calibrateCommand } from "./commands/calibrate.js";
import { reembedCommand } from "./commands/reembed.js";
import { jobsCommand } from "./commands/jobs.js";
import { migrateCommand } from "./commands/migrate.js";
import { purgeAuditCommand } from "./commands/purge-audit.js";
import { reviewCommand } from "./commands/review.js";
import { rollbackCommand } from "./commands/rollback.js";
import { apiCommand, startCommand, workerCommand } from "./commands/serve.js";
import { statusCommand } from "./commands/status.js";
import { tokensCreateCommand, tokensListCommand, tokensRevokeCommand } from "./commands/tokens.js";
import { triggerCommand } from "./commands/trigger.js";
import type { CliIo } from "./io.js";
import { parseCli, UsageError, usageOf } from "./parse.js";
import { workerVersion } from "../common/version.js";

/** Runs one memcons command line and resolves to the process exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command: ReturnType<typeof parseCli>;
  try {
    command = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`memcons: ${error.message}\n\n${usageOf(error.command)}`);
      return 2;
    }
    throw error;
  }
  try {
    switch (command.name) {
      case "help":
        io.stdout.write(usageOf(command.command));
        return 0;
      case "version":
        io.stdout.write(`${workerVersion()}\n`);
        return 0;
      case "migrate":
        return await migrateCommand(command, io);
      case "worker":
        return await workerCommand(io);
      case "api":
        return await apiCommand(io);
      case "start":
        return await startCommand(command, io);
      case "trigger":
        return await triggerCommand(command, io);
      case "jobs":
        return await jobsCommand(command, io);
      case "status":
        return await statusCommand(command, io);
      case "rollback":
        return await rollbackCommand(command, io);
      case "proposals":
      case "approve":
      case "reject":
      case "plan":
      case "apply-plan":
      case "discard-plan":
        return await reviewCommand(command, io);
      case "purge-audit":
        return await purgeAuditCommand(command, io);
      case "tokens create":
        return await tokensCreateCommand(command, io);
      case "tokens list":
        return await tokensListCommand(command, io);
      case "tokens revoke":
        return await tokensRevokeCommand(command, io);
      case "calibrate":
        return await calibrateCommand(command, io);
      case "reembed":
        return await reembedCommand(command, io);
    }
  } catch (error) {
    io.stderr.write(`${describeFailure(error)}\n`);
    return 1;
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return `memcons: invalid configuration: ${error.message}`;
  if (error instanceof MemconsError) return `memcons: ${error.message}`;
  if (error instanceof Error) return `memcons: ${error.stack ?? error.message}`;
  return `memcons: ${String(error)}`;
}
