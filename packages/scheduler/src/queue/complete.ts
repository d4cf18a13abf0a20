import type { Database } from "@memcons/models";
import { sql } from "drizzle-orm";
import { withJobEvents } from "../events.js";
import { type ChangedJob, runJobStatement } from "./statement.js";

/** Most jobs completed by one statement. */
const MAX_BATCH = 500;

/** Marks jobs this worker holds as completed (progress 1, duration) and publishes `completed`; lost leases are skipped. */
export async function completeJobs(db: Database, jobIds: readonly string[], workerId: string): Promise<ChangedJob[]> {
  if (jobIds.length === 0) return [];
  const update = sql`update memcons.consolidation_jobs
      set status = 'completed', completed_at = now(), progress = 1, error_message = null,
          duration_seconds = greatest(0, extract(epoch from now() - coalesce(started_at, now()))),
          locked_by = null, locked_until = null
    where id in ${jobIds} and locked_by = ${workerId} and status = 'running'
    returning *`;
  return runJobStatement(db, withJobEvents(update, sql`'completed'`));
}

/** Marks one job this worker holds as completed; null when the lease was lost. */
export async function completeJob(db: Database, jobId: string, workerId: string): Promise<ChangedJob | null> {
  const [changed] = await completeJobs(db, [jobId], workerId);
  return changed ?? null;
}

interface Waiter {
  id: string;
  resolve: (changed: ChangedJob | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Group-commits completions: the first completion is written at once; completions arriving while a
 * write is in flight are written together by the next statement (no added latency when idle).
 */
export class CompletionBatcher {
  readonly #db: Database;
  readonly #workerId: string;
  #waiting: Waiter[] = [];
  #flushing = false;

  constructor(db: Database, workerId: string) {
    this.#db = db;
    this.#workerId = workerId;
  }

  /** Completes a job; resolves with its new row (null when the lease was lost). */
  complete(jobId: string): Promise<ChangedJob | null> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ id: jobId, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, MAX_BATCH);
        try {
          const changed = await completeJobs(this.#db, batch.map((w) => w.id), this.#workerId);
          const byId = new Map(changed.map((item) => [item.job.id, item]));
          for (const waiter of batch) waiter.resolve(byId.get(waiter.id) ?? null);
        } catch (error) {
          for (const waiter of batch) waiter.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
