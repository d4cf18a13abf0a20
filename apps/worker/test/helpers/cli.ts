import type { CliIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/run.js";

/** Runs the CLI in-process with `env` (LOG_LEVEL warn unless given) and captures what it prints and its exit code. */
export async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    env: { LOG_LEVEL: "warn", ...env },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    shutdown: new AbortController().signal,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
