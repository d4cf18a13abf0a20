import { purgeAuditRecords } from "@memcons/consolidation-core";
import type { Database, Logger } from "@memcons/models";
import { type CronScheduler, createCronScheduler, InvalidScheduleError } from "@memcons/scheduler";
import { type Config, ConfigError } from "../common/config.js";

/** Name of the audit purge in schedule_runs. */
export const AUDIT_PURGE_SCHEDULE_NAME = "audit-purge";

/**
 * The cron that deletes audit rows older than the retention period, once per slot across every worker
 * sharing the database; null when the retention is 0 (audit rows kept forever). stop() interrupts a
 * purge in progress between batches, so a large first purge never holds up a shutdown.
 */
export function createAuditPurgeCron(
  config: Config,
  o: { db: Database; logger: Logger; onPurged?: (deleted: number) => void },
): CronScheduler | null {
  const days = config.auditRetentionDays;
  if (days === 0) return null;
  let stopping = new AbortController();
  let cron: CronScheduler;
  try {
    cron = createCronScheduler({
      db: o.db,
      name: AUDIT_PURGE_SCHEDULE_NAME,
      schedule: config.auditPurgeSchedule,
      timezone: config.timezone,
      workerId: config.workerId,
      catchUpWindowMs: config.catchUpWindowMs,
      logger: o.logger,
      task: async () => {
        const { deleted } = await purgeAuditRecords(o.db, { olderThanDays: days, signal: stopping.signal });
        o.onPurged?.(deleted);
        o.logger.info({ deleted, older_than_days: days }, "audit rows purged");
        return { deleted, older_than_days: days };
      },
    });
  } catch (error) {
    // The time zone was validated with the configuration: a bad schedule is all that is left.
    if (error instanceof InvalidScheduleError) throw new ConfigError("AUDIT_PURGE_SCHEDULE", error.message);
    throw error;
  }
  return {
    start() {
      if (stopping.signal.aborted) stopping = new AbortController();
      return cron.start();
    },
    async stop() {
      stopping.abort();
      await cron.stop();
    },
    nextRun: () => cron.nextRun(),
    fireSlot: (slot) => cron.fireSlot(slot),
  };
}
