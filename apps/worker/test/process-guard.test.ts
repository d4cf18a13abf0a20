import { createDatabase } from "@memcons/models";
import { startFaultProxy } from "@memcons/models/testing";
import { describe, expect, it } from "vitest";
import { installProcessGuard, isDriverError } from "../src/common/process-guard.js";
import { createHealthApp } from "../src/worker/health.js";

/** A logger that keeps what it was given. */
function memoryLogger() {
  const lines: Array<{ level: string; message: string | undefined }> = [];
  const log = (level: string) => (_fields: Record<string, unknown>, message?: string) => lines.push({ level, message });
  const logger = {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    flush() {},
    child: () => logger,
  };
  return { logger, lines };
}

describe("process guard", () => {
  it("keeps the process up on a driver error nobody caught and fails readiness for a while", () => {
    const { logger, lines } = memoryLogger();
    const exits: number[] = [];
    const guard = installProcessGuard(logger, (code) => exits.push(code));
    try {
      const lost = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
      process.emit("uncaughtException", lost);
      expect(exits).toEqual([]);
      expect(guard.fault()).toMatch(/^unexpected database driver error at /);
      expect(lines.at(-1)).toEqual({ level: "error", message: "unexpected database driver error; the process keeps running" });
      process.emit("uncaughtException", new TypeError("a bug of ours"));
      expect(exits).toEqual([1]);
    } finally {
      guard.uninstall();
    }
  });

  it("recognizes errors thrown from inside postgres.js by their stack", () => {
    const error = new TypeError("Cannot read properties of null (reading 'write')");
    error.stack = `${error.message}\n    at nextWrite (/app/node_modules/.pnpm/postgres@3.4.9/node_modules/postgres/src/connection.js:255:22)`;
    expect(isDriverError(error)).toBe(true);
    expect(isDriverError(new TypeError("elsewhere"))).toBe(false);
  });
});

describe.runIf(process.env.DATABASE_URL)("worker readiness while the database is unreachable", () => {
  it("answers 503 naming the error code, never SQL text", async () => {
    const proxy = await startFaultProxy(process.env.DATABASE_URL as string);
    proxy.refuse();
    const db = await createDatabase(proxy.urlFor(process.env.DATABASE_URL as string), { connectTimeoutSeconds: 2 });
    try {
      const response = await createHealthApp({ db }).request("/readyz");
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error).toBe("not_ready");
      expect(body.message).toMatch(/^database unreachable/);
      expect(body.message).not.toMatch(/select|from|migrations/i);
    } finally {
      await db.close();
      await proxy.close();
    }
  });
});
