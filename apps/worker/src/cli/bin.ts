#!/usr/bin/env node
import { runCli } from "./run.js";

const controller = new AbortController();
let signals = 0;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`memcons: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    controller.abort(signal);
  });
}

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  shutdown: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // Long-running commands have closed everything; make sure stray handles cannot keep us alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`memcons: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
