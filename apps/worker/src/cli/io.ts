import type { Env } from "../common/config.js";

/** A text sink such as process.stdout. */
export interface OutputStream {
  write(text: string): unknown;
  /** True when the stream is a terminal (progress bars redraw in place). */
  readonly isTTY?: boolean;
}

/** What a CLI command may touch: the environment, the output streams, and a stop signal. */
export interface CliIo {
  env: Env;
  stdout: OutputStream;
  stderr: OutputStream;
  /** Aborted on SIGTERM/SIGINT; long-running commands shut down and return when it fires. */
  shutdown: AbortSignal;
}
