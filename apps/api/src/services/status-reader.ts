import type { Database } from "@memcons/models";
import DataLoader from "dataloader";
import { readJobStatusesJson } from "./job-status.js";

/** Most job ids one status query asks for. */
const MAX_BATCH = 256;

/**
 * Reads job statuses as JSON text for concurrent requests with as few queries as possible: the
 * requests that arrive in one turn of the event loop are answered by one query, and a request for a
 * job whose read is already in flight joins that read. A joined request gets what it would have read
 * a moment earlier; nothing is kept once a read settles, so there is no cache to go stale.
 */
export class StatusReader {
  readonly #loader: DataLoader<string, string>;

  constructor(db: Database) {
    this.#loader = new DataLoader<string, string>((jobIds) => readJobStatusesJson(db, jobIds), {
      batchScheduleFn: (run) => setImmediate(run),
      maxBatchSize: MAX_BATCH,
    });
  }

  /** The status body of a job as JSON text; JobNotFoundError when there is no such job. */
  read(jobId: string): Promise<string> {
    // PostgreSQL prints uuids in lower case; any spelling of an id names the same job.
    const key = jobId.toLowerCase();
    const read = this.#loader.load(key);
    const forget = () => {
      this.#loader.clear(key);
    };
    read.then(forget, forget);
    return read;
  }

  /** Makes the next read of a job start afresh: called after this process changed the job. */
  invalidate(jobId: string): void {
    this.#loader.clear(jobId.toLowerCase());
  }
}
