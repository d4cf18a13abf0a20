import type { Database } from "@memcons/models";
import { readJobStatusJson } from "./jobs.js";

/**
 * Reads job statuses as JSON text, sharing one query and one serialization among the concurrent
 * requests for the same job. Dashboards and CLIs poll one job from many places at once; a request
 * that arrives while that job's read is in flight gets the same answer, which is what it would have
 * read a moment earlier. Nothing is kept once the read settles: there is no cache to go stale.
 */
export class StatusReader {
  readonly #db: Database;
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(db: Database) {
    this.#db = db;
  }

  /** The status body of a job as JSON text; JobNotFoundError when there is no such job. */
  read(jobId: string): Promise<string> {
    const pending = this.#inFlight.get(jobId);
    if (pending) return pending;
    const read = readJobStatusJson(this.#db, jobId).finally(() => {
      if (this.#inFlight.get(jobId) === read) this.#inFlight.delete(jobId);
    });
    this.#inFlight.set(jobId, read);
    return read;
  }

  /** Makes the next read of a job start afresh: called after this process changed the job. */
  invalidate(jobId: string): void {
    this.#inFlight.delete(jobId);
  }
}
