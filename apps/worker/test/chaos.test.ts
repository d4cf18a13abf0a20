import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../chaos/scenarios.js";

const ADMIN_URL = process.env.DATABASE_URL;

/**
 * Fault injection against real processes: a TCP proxy between the worker/API processes and
 * PostgreSQL cuts, refuses or stalls the database while jobs run. No process may exit, every job
 * completes, outages under the limit use no retry, and a rollback restores the exact prior state.
 */
describe.runIf(ADMIN_URL)("chaos: real processes through a fault-injection proxy", () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    const outage = name.startsWith("db_");
    it(name, { timeout: 180_000 }, async () => {
      const run = await scenario(ADMIN_URL as string);
      expect(run.exits).toEqual([]);
      expect(run.job_completed).toBe(true);
      expect(run.memories_lost).toBe(0);
      if (outage) expect(run.retries_used).toBe(0);
      else expect(run.retries_used).toBe(1);
      if (run.snapshot_equal !== null) expect(run.snapshot_equal).toBe(true);
    });
  }
});
