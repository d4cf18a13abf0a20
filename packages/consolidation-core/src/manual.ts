import { type Database, ValidationError } from "@memcons/models";
import { sql } from "drizzle-orm";
import { timestamp, uuidArray } from "./context.js";
import { ROLLBACK_WINDOW_DAYS } from "./rollback.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Default retention of audit rows, in days. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

/** Archives memories by hand (reason `manual`); already archived ones are left alone. */
export async function archiveMemories(
  db: Database,
  memoryIds: string[],
  o: { actor?: string; reason?: string; now?: Date } = {},
): Promise<{ archived: number }> {
  const ids = validIds(memoryIds);
  if (ids.length === 0) return { archived: 0 };
  const now = o.now ?? new Date();
  const found = await db.rows<{ n: number }>(
    sql`WITH upd AS (
          UPDATE task_memories SET is_archived = true, archived_at = ${timestamp(now)}, archive_reason = 'manual',
            version = version + 1, updated_at = ${timestamp(now)}
          WHERE id = ANY(${uuidArray(ids)}) AND is_archived = false
          RETURNING 1
        ) SELECT count(*)::int AS n FROM upd`,
  );
  return { archived: Number(found[0]?.n ?? 0) };
}

/** Brings archived memories back into default search results. */
export async function unarchiveMemories(
  db: Database,
  memoryIds: string[],
  o: { actor?: string; now?: Date } = {},
): Promise<{ unarchived: number }> {
  const ids = validIds(memoryIds);
  if (ids.length === 0) return { unarchived: 0 };
  const now = o.now ?? new Date();
  const found = await db.rows<{ n: number }>(
    sql`WITH upd AS (
          UPDATE task_memories SET is_archived = false, archived_at = NULL, archive_reason = NULL,
            version = version + 1, updated_at = ${timestamp(now)}
          WHERE id = ANY(${uuidArray(ids)}) AND is_archived = true
          RETURNING 1
        ) SELECT count(*)::int AS n FROM upd`,
  );
  return { unarchived: Number(found[0]?.n ?? 0) };
}

/** Deletes audit rows older than the retention period (default 90 days, at least the 7-day rollback window). */
export async function purgeAuditRecords(
  db: Database,
  o: { olderThanDays?: number; now?: Date } = {},
): Promise<{ deleted: number }> {
  const days = o.olderThanDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
  // Rows younger than the rollback window are what a rollback replays; purging them would make it partial.
  if (!Number.isFinite(days) || days < ROLLBACK_WINDOW_DAYS) {
    throw new ValidationError(`olderThanDays must be at least ${ROLLBACK_WINDOW_DAYS}, got ${days}`, [
      { path: "olderThanDays", message: `must be a number >= ${ROLLBACK_WINDOW_DAYS} (the rollback window)` },
    ]);
  }
  const cutoff = new Date((o.now ?? new Date()).getTime() - days * 86_400_000);
  const found = await db.rows<{ n: number }>(
    sql`WITH del AS (DELETE FROM consolidation_changes WHERE changed_at < ${timestamp(cutoff)} RETURNING 1)
        SELECT count(*)::int AS n FROM del`,
  );
  return { deleted: Number(found[0]?.n ?? 0) };
}

function validIds(ids: readonly string[]): string[] {
  const bad = ids.filter((id) => typeof id !== "string" || !UUID.test(id));
  if (bad.length > 0) {
    throw new ValidationError(`Invalid memory ids: ${bad.slice(0, 5).join(", ")}`, [
      { path: "memoryIds", message: "every id must be a UUID" },
    ]);
  }
  return [...new Set(ids)];
}
