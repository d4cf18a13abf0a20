import type { ChangeOperation } from "@memcons/models";
import { type SQL, sql } from "drizzle-orm";
import { timestamp } from "./sql-params.js";

/** Who records a batch of changes, and when: the audit columns every row of the batch shares. */
export interface ChangeAuthor {
  /** The job that made the changes; null for a change made by hand. */
  jobId: string | null;
  operation: ChangeOperation;
  at: Date;
  /** Recorded as `changed_by`. */
  actor: string;
}

/** The per-row columns of change rows, as SQL over the rows they are selected from. */
export interface ChangeColumns {
  memoryId: SQL;
  previousState: SQL;
  newState: SQL;
  reason: SQL;
  confidence: SQL;
}

/**
 * The one INSERT of audit rows: a `consolidation_changes` row for each row of `from` (a CTE name or a
 * join), returning 1 per row; use it as a statement or as the body of a CTE.
 */
export function insertChanges(author: ChangeAuthor, columns: ChangeColumns, from: SQL): SQL {
  return sql`INSERT INTO memcons.consolidation_changes (consolidation_job_id, operation, memory_id, previous_state,
      new_state, reason, confidence, changed_at, changed_by)
    SELECT ${author.jobId}::uuid, ${author.operation}, ${columns.memoryId}, ${columns.previousState},
      ${columns.newState}, ${columns.reason}, ${columns.confidence}, ${timestamp(author.at)}, ${author.actor}
    FROM ${from}
    RETURNING 1`;
}
