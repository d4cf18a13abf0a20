import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const url = process.env.DATABASE_URL;

describe.runIf(url)("postgres.js on a connection cut mid-transaction", () => {
  it("rejects the transaction with a connection error and keeps the process and pool alive", () => {
    const script = fileURLToPath(new URL("./fixtures/transaction-cut.mjs", import.meta.url));
    const run = spawnSync(process.execPath, [script], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.stderr).not.toContain("TypeError");
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout.trim()) as { ended: string; after: number };
    expect(["CONNECTION_CLOSED", "ECONNRESET"]).toContain(result.ended);
    expect(result.after).toBe(1);
  });
});
