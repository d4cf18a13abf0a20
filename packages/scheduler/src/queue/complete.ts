import { type Database, uuidArray } from "@memcons/models";
import { type SQL, sql } from "drizzle-orm";
import { jobEventJson, withJobEvents } from "../events.js";
import { type ClaimOptions, claimUpdate } from "./claim.js";
import { type ChangedJob, runJobStatement } from "./statement.js";

/** Most jobs completed by one statement. */
const MAX_BATCH = 500;

/** Marks jobs this worker holds as completed (progress 1, duration) and publishes `completed`; lost leases are skipped. */
export async function completeJobs(db: Database, jobIds: readonly string[], workerId: string): Promise<ChangedJob[]> {
  if (jobIds.length === 0) return [];
  return runJobStatement(db, withJobEvents(completeUpdate(jobIds, workerId), sql`'completed'`));
}

/** Jobs changed by completeAndClaimJobs. */
export interface CompletedAndClaimed {
  completed: ChangedJob[];
  claimed: ChangedJob[];
}

/**
 * Completes jobs this worker holds and claims up to `claim.limit` due jobs in the same statement (one commit,
 * one round trip): a busy runner refills the slots its finished jobs free without a claim of its own.
 */
export async function completeAndClaimJobs(
  db: Database,
  jobIds: readonly string[],
  workerId: string,
  claim: ClaimOptions,
): Promise<CompletedAndClaimed> {
  if (jobIds.length === 0 || claim.limit < 1) {
    const completed = await completeJobs(db, jobIds, workerId);
    return { completed, claimed: [] };
  }
  const changed = await runJobStatement(db,
    sql`with done as (${completeUpdate(jobIds, workerId)}), taken as (${claimUpdate(claim)})
        select j.*, ${jobEventJson(sql`'completed'`)} as event from done j
        union all
        select j.*, ${jobEventJson(sql`'started'`)} as event from taken j`,
  );
  return {
    completed: changed.filter((item) => item.job.status === "completed"),
    claimed: changed.filter((item) => item.job.status === "running"),
  };
}

function completeUpdate(jobIds: readonly string[], workerId: string): SQL {
  return sql`update memcons.consolidation_jobs
      set status = 'completed', completed_at = now(), progress = 1, error_message = null,
          duration_seconds = greatest(0, extract(epoch from now() - coalesce(started_at, now()))),
          locked_by = null, locked_until = null
    where id = any(${uuidArray(jobIds)}) and locked_by = ${workerId} and status = 'running'
    returning *`;
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

/** How a runner takes new jobs in the statement that records completions. */
export interface ClaimAlongside {
  /** Reserves the slots free once `completing` jobs are done; the claim to make, or null for none. */
  reserve(completing: number): ClaimOptions | null;
  /** Receives the jobs claimed with a completion batch (maybe none) and ends the reservation of `reserved` slots. */
  claimed(jobs: ChangedJob[], reserved: number): void;
}

/**
 * Group-commits completions: the first completion is written at once; completions arriving while a
 * write is in flight are written together by the next statement (no added latency when idle). With
 * `alongside`, each statement also claims the jobs that take the finished jobs' slots.
 */
export class CompletionBatcher {
  readonly #db: Database;
  readonly #workerId: string;
  readonly #alongside: ClaimAlongside | undefined;
  #waiting: Waiter[] = [];
  #flushing: Promise<void> | undefined;

  constructor(db: Database, workerId: string, alongside?: ClaimAlongside) {
    this.#db = db;
    this.#workerId = workerId;
    this.#alongside = alongside;
  }

  /** Completes a job; resolves with its new row (null when the lease was lost). */
  complete(jobId: string): Promise<ChangedJob | null> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ id: jobId, resolve, reject });
      this.#flushing ??= this.#flush().finally(() => {
        this.#flushing = undefined;
      });
    });
  }

  /** Resolves once every completion handed in so far is written (and any jobs claimed with them handed over). */
  async idle(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flush(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_BATCH);
      const ids = batch.map((w) => w.id);
      const claim = this.#alongside?.reserve(batch.length) ?? null;
      let written: CompletedAndClaimed | undefined;
      let failure: { error: unknown } | undefined;
      try {
        written = claim
          ? await completeAndClaimJobs(this.#db, ids, this.#workerId, claim)
          : { completed: await completeJobs(this.#db, ids, this.#workerId), claimed: [] };
      } catch (error) {
        failure = { error };
      }
      // Exactly once per reservation, whether the statement succeeded or not.
      if (claim) this.#alongside?.claimed(written?.claimed ?? [], claim.limit);
      if (failure) {
        for (const waiter of batch) waiter.reject(failure.error);
        continue;
      }
      const byId = new Map((written?.completed ?? []).map((item) => [item.job.id, item]));
      for (const waiter of batch) waiter.resolve(byId.get(waiter.id) ?? null);
    }
  }
}
