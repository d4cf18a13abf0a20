import { type Database, ValidationError, isUuid, queryRows, uuidArray } from "@memcons/models";
import { sql } from "drizzle-orm";
import { timestamp } from "./sql-params.js";
import { memoryJson } from "./store.js";
import { ROLLBACK_WINDOW_DAYS } from "./rollback.js";
import { insertChanges } from "./audit.js";


/** Default retention of audit rows, in days. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

/** Who changes memories by hand, and why: recorded on each audit row. */
export interface ManualChangeOptions {
  /** Recorded as `changed_by` (default `admin`). */
  actor?: string;
  /** Recorded as the audit rows' reason. */
  reason?: string;
  now?: Date;
}

/** Archives memories by hand (reason `manual`), one audit row each; already archived ones are left alone. */
export async function archiveMemories(
  db: Database,
  memoryIds: string[],
  o: ManualChangeOptions = {},
): Promise<{ archived: number }> {
  const archived = await changeArchivedByHand(db, memoryIds, "archive", o);
  return { archived };
}

/** Brings archived memories back into default search results, one audit row each. */
export async function unarchiveMemories(
  db: Database,
  memoryIds: string[],
  o: ManualChangeOptions = {},
): Promise<{ unarchived: number }> {
  const unarchived = await changeArchivedByHand(db, memoryIds, "unarchive", o);
  return { unarchived };
}

/**
 * Sets or clears the archived flag of the given memories that are not in that state yet, bumping their
 * version, and writes one audit row per memory changed (no job: consolidation_job_id is NULL).
 */
async function changeArchivedByHand(
  db: Database,
  memoryIds: string[],
  operation: "archive" | "unarchive",
  o: ManualChangeOptions,
): Promise<number> {
  const ids = validIds(memoryIds);
  if (ids.length === 0) return 0;
  const at = o.now ?? new Date();
  const now = timestamp(at);
  const archive = operation === "archive";
  const found = await queryRows<{ n: number }>(db.orm, 
    sql`WITH old AS (
          SELECT t.id, ${memoryJson("t")} AS prev FROM memcons.task_memories t
          WHERE t.id = ANY(${uuidArray(ids)}) AND t.is_archived = ${!archive}
          ORDER BY t.id
          FOR UPDATE
        ), upd AS (
          UPDATE memcons.task_memories t SET is_archived = ${archive},
            archived_at = ${archive ? now : null}, archive_reason = ${archive ? "manual" : null},
            version = t.version + 1, updated_at = ${now}
          FROM old WHERE t.id = old.id
          RETURNING t.id, t.is_archived, t.archived_at, t.archive_reason, t.version, t.updated_at, old.prev AS _prev
        ), audit AS (${insertChanges(
          { jobId: null, operation, at, actor: o.actor ?? "admin" },
          {
            memoryId: sql`upd.id`,
            previousState: sql`upd._prev`,
            newState: sql`jsonb_build_object('is_archived', upd.is_archived, 'archived_at', upd.archived_at,
              'archive_reason', upd.archive_reason, 'version', upd.version, 'updated_at', upd.updated_at)`,
            reason: sql`${o.reason ?? null}`,
            confidence: sql`NULL`,
          },
          sql`upd`,
        )})
        SELECT count(*)::int AS n FROM audit`,
  );
  return Number(found[0]?.n ?? 0);
}

/** How many audit rows one purge statement deletes; each batch commits on its own. */
const PURGE_BATCH = 10_000;

/**
 * Deletes audit rows older than the retention period (default 90 days, at least the 7-day rollback window),
 * except rows of jobs still inside their rollback window (which runs from the job's end, not the row's age).
 * An aborted `signal` stops it between batches; the rows deleted so far are reported and the rest are left for the next run.
 */
export async function purgeAuditRecords(
  db: Database,
  o: { olderThanDays?: number; now?: Date; signal?: AbortSignal } = {},
): Promise<{ deleted: number }> {
  const days = o.olderThanDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
  // Rows younger than the rollback window are what a rollback replays; purging them would make it partial.
  if (!Number.isFinite(days) || days < ROLLBACK_WINDOW_DAYS) {
    throw new ValidationError(`olderThanDays must be at least ${ROLLBACK_WINDOW_DAYS}, got ${days}`, [
      { path: "olderThanDays", message: `must be a number >= ${ROLLBACK_WINDOW_DAYS} (the rollback window)` },
    ]);
  }
  const now = o.now ?? new Date();
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const windowStart = new Date(now.getTime() - ROLLBACK_WINDOW_DAYS * 86_400_000);
  // In batches, so a first purge of a large table holds no long transaction or huge lock set.
  let deleted = 0;
  while (!o.signal?.aborted) {
    const [row] = await queryRows<{ n: number }>(db.orm, 
      sql`WITH del AS (
            DELETE FROM memcons.consolidation_changes WHERE id IN (
              SELECT c.id FROM memcons.consolidation_changes c
               WHERE c.changed_at < ${timestamp(cutoff)}
                 -- never rows of a job that can still be rolled back (the window runs from its end)
                 AND NOT EXISTS (
                   SELECT 1 FROM memcons.consolidation_jobs j WHERE j.id = c.consolidation_job_id
                     AND (j.status IN ('pending', 'running')
                          OR coalesce(j.completed_at, j.created_at) >= ${timestamp(windowStart)}))
               LIMIT ${PURGE_BATCH})
            RETURNING 1)
          SELECT count(*)::int AS n FROM del`,
    );
    const n = Number(row?.n ?? 0);
    deleted += n;
    if (n < PURGE_BATCH) break;
  }
  return { deleted };
}

function validIds(ids: readonly string[]): string[] {
  const bad = ids.filter((id) => !isUuid(id));
  if (bad.length > 0) {
    throw new ValidationError(`Invalid memory ids: ${bad.slice(0, 5).join(", ")}`, [
      { path: "memoryIds", message: "every id must be a UUID" },
    ]);
  }
  return [...new Set(ids)];
}
