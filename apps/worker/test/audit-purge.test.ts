import { createExtractiveSynthesizer, createHashingEmbedder } from "@memcons/consolidation-core";
import { noopLogger } from "@memcons/models";
import { createTestDatabase, preferredTarget, type TestDatabase } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_PURGE_SCHEDULE_NAME, createAuditPurgeCron } from "../src/worker/audit-purge.js";
import { loadConfig } from "../src/common/config.js";
import { createLogger } from "../src/common/logger.js";
import { createWorkerMetrics } from "../src/worker/metrics.js";
import { startWorker } from "../src/worker/worker.js";

const target = preferredTarget(process.env.DATABASE_URL);

async function auditRows(db: TestDatabase, ageDays: number, count: number): Promise<void> {
  await db.rows(sql`INSERT INTO consolidation_changes (operation, reason, changed_at, changed_by)
    SELECT 'archive', 'by hand', now() - make_interval(days => ${ageDays}), 'admin' FROM generate_series(1, ${count})`);
}

describe(`audit purge cron (${target.driver})`, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db.close();
  });

  it("deletes rows older than AUDIT_RETENTION_DAYS once per slot across workers, counting them in /metrics", async () => {
    await auditRows(db, 40, 5);
    await auditRows(db, 10, 3);
    const metrics = createWorkerMetrics({ db, defaultMetrics: false });
    const purge = (workerId: string) =>
      createAuditPurgeCron(loadConfig({ AUDIT_RETENTION_DAYS: "30", WORKER_ID: workerId }), {
        db,
        logger: noopLogger,
        onPurged: (deleted) => metrics.auditRowsPurged.inc(deleted),
      });
    const slot = new Date("2026-11-20T03:30:00Z");
    expect(await purge("worker-a")?.fireSlot(slot)).toBe(true);
    expect(await purge("worker-b")?.fireSlot(slot)).toBe(false);

    const [left] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM consolidation_changes`);
    expect(left?.n).toBe(3);
    const [run] = await db.rows<{ fired_by: string; summary: unknown }>(sql`SELECT fired_by, summary FROM schedule_runs
      WHERE schedule_name = ${AUDIT_PURGE_SCHEDULE_NAME}`);
    const summary = typeof run?.summary === "string" ? JSON.parse(run.summary) : run?.summary;
    expect(run?.fired_by).toBe("worker-a");
    expect(summary).toMatchObject({ deleted: 5, older_than_days: 30 });
    expect(await metrics.render()).toContain("memcons_audit_rows_purged_total 5");
  });

  it("stops purging once stopped, leaving the rest for the next slot", async () => {
    await db.rows(sql`DELETE FROM consolidation_changes`);
    await auditRows(db, 100, 4);
    const config = loadConfig({ WORKER_ID: "worker-d", CONSOLIDATION_CATCH_UP_MS: "0" });
    const purge = createAuditPurgeCron(config, { db, logger: noopLogger });
    await purge?.stop();
    expect(await purge?.fireSlot(new Date("2026-11-21T03:30:00Z"))).toBe(true);
    const [left] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM consolidation_changes`);
    expect(left?.n).toBe(4);
    // Started again, it purges.
    await purge?.start();
    try {
      expect(await purge?.fireSlot(new Date("2026-11-22T03:30:00Z"))).toBe(true);
      const [after] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM consolidation_changes`);
      expect(after?.n).toBe(0);
    } finally {
      await purge?.stop();
    }
  });

  it("is off when AUDIT_RETENTION_DAYS is 0", () => {
    expect(createAuditPurgeCron(loadConfig({ AUDIT_RETENTION_DAYS: "0" }), { db, logger: noopLogger })).toBeNull();
  });

  it("runs in every worker on AUDIT_PURGE_SCHEDULE, in the consolidation time zone", async () => {
    const config = loadConfig({
      AUDIT_PURGE_SCHEDULE: "15 4 * * *",
      CONSOLIDATION_TIMEZONE: "Europe/Paris",
      CONSOLIDATION_CATCH_UP_MS: "0",
      WORKER_ID: "worker-c",
    });
    const worker = await startWorker(config, {
      db,
      logger: createLogger("silent"),
      embedder: createHashingEmbedder(),
      synthesizer: createExtractiveSynthesizer(),
      health: false,
    });
    try {
      const next = worker.auditPurge?.nextRun();
      const local = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" });
      expect(next && local.format(next)).toBe("04:15");
    } finally {
      await worker.stop();
    }
  });
});
