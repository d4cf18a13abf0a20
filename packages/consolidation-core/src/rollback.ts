import { randomUUID } from "node:crypto";
import { consolidationJobs, type Database, type Executor, JobNotFoundError, queryRows, isUuid } from "@memcons/models";
import { eq, type SQL, sql } from "drizzle-orm";
import { jsonb, timestamp } from "./sql-params.js";
import {
  AlreadyRolledBackError,
  AuditIncompleteError,
  JobNotFinishedError,
  type RollbackConflict,
  RollbackConflictError,
  RollbackWindowExpiredError,
} from "./errors.js";
import { entryJson, MEMORY_COLUMNS, memoryJson } from "./store.js";
import type { RollbackResult } from "./types.js";
import { insertChanges } from "./audit.js";

/** A job can be rolled back this many days after it finished. */
export const ROLLBACK_WINDOW_DAYS = 7;

/** Options of rollbackJob. */
export interface RollbackOptions {
  /** Recorded as `changed_by` (default `system`). */
  actor?: string;
  reason?: string;
  /** Clock for the window check and timestamps (default: now). */
  now?: Date;
  /** Roll back everything except memories changed after the job (reported in `skipped`) instead of refusing. */
  force?: boolean;
}

/** What rollbackJob returns: the contract fields plus the number of playbook entries removed. */
export interface RollbackJobResult extends RollbackResult {
  playbook_entries_deleted: number;
}

const RESTORED_COLUMNS = Object.values(MEMORY_COLUMNS)
  .map((c) => c.name)
  .filter((name) => name !== "id");

/**
 * Undoes a finished job in one transaction: restores every memory it changed to its exact previous
 * state, deletes the memories and playbook entries it created, records `rollback` changes and sets
 * rolled_back_at. Refuses when a touched memory changed after the job.
 */
export async function rollbackJob(
  db: Database,
  jobId: string,
  options: RollbackOptions = {},
): Promise<RollbackJobResult> {
  if (!isUuid(jobId)) throw new JobNotFoundError(jobId);
  const now = options.now ?? new Date();
  const actor = options.actor ?? "system";
  const rollbackId = randomUUID();
  const reason = `Rollback ${rollbackId}${options.reason ? `: ${options.reason}` : ""}`;
  return db.orm.transaction(async (tx) => {
    const [job] = await tx.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId)).for("update");
    if (!job) throw new JobNotFoundError(jobId);
    if (job.rolledBackAt) throw new AlreadyRolledBackError(jobId);
    if (job.status === "pending" || job.status === "running") throw new JobNotFinishedError(jobId, job.status);
    const finishedAt = job.completedAt ?? job.createdAt;
    if (now.getTime() - finishedAt.getTime() > ROLLBACK_WINDOW_DAYS * 86_400_000) {
      throw new RollbackWindowExpiredError(jobId, ROLLBACK_WINDOW_DAYS);
    }
    const warnings: string[] = [];
    await assertAuditComplete(tx, jobId, job.metrics);
    await lockTouched(tx, jobId);
    const conflicts = await findConflicts(tx, jobId);
    if (conflicts.length > 0 && !options.force) throw new RollbackConflictError(jobId, conflicts);
    const skip = conflicts.map((c) => c.memory_id);
    if (skip.length > 0) warnings.push(`${skip.length} memories changed after the job were left as they are (force)`);
    const missing = await queryRows<{ memory_id: string; created: boolean }>(
      tx,
      sql`SELECT DISTINCT c.memory_id, (c.previous_state IS NULL) AS created FROM memcons.consolidation_changes c
          WHERE c.consolidation_job_id = ${jobId}::uuid AND c.operation IN ('merge', 'summarize', 'archive')
            AND NOT EXISTS (SELECT 1 FROM memcons.task_memories t WHERE t.id = c.memory_id)
          ORDER BY c.memory_id`,
    );
    for (const m of missing) {
      warnings.push(
        m.created
          ? `Memory ${m.memory_id} created by the job was already deleted`
          : `Memory ${m.memory_id} no longer exists and could not be restored`,
      );
    }
    const by: RollbackActor = { jobId, now, actor, reason, skip };
    const restored = await restoreMemories(tx, by);
    await restoreExamined(tx, by);
    const orphaned = await queryRows<{ n: number }>(
      tx,
      sql`SELECT count(*)::int AS n FROM memcons.task_memories t
          WHERE t.duplicate_of IN (SELECT memory_id FROM ${createdMemories(jobId)})`,
    );
    const orphans = Number(orphaned[0]?.n ?? 0);
    if (orphans > 0) {
      warnings.push(`${orphans} memories outside this job pointed at memories it created; their duplicate_of was cleared`);
    }
    const deleted = await deleteCreatedMemories(tx, by);
    const entries = await deletePlaybookEntries(tx, by);
    if (entries.missing > 0) warnings.push(`${entries.missing} playbook entries created by the job were already deleted`);
    if (restored + deleted + entries.deleted === 0 && warnings.length === 0) {
      warnings.push("The job made no changes: there was nothing to roll back");
    }
    const summary = {
      id: rollbackId,
      at: now.toISOString(),
      actor,
      reason: options.reason ?? null,
      memories_restored: restored,
      memories_deleted: deleted,
      playbook_entries_deleted: entries.deleted,
      warnings,
      skipped: conflicts,
    };
    await queryRows(tx, 
      sql`UPDATE memcons.consolidation_jobs SET rolled_back_at = ${timestamp(now)},
            metrics = metrics || jsonb_build_object('rollback', ${jsonb(JSON.stringify(summary))})
          WHERE id = ${jobId}::uuid`,
    );
    return {
      rollback_id: rollbackId,
      memories_restored: restored,
      memories_deleted: deleted,
      playbook_entries_deleted: entries.deleted,
      warnings,
      skipped: conflicts,
    };
  });
}

/** Throws AuditIncompleteError when fewer audit rows of the job exist than it recorded writing. */
async function assertAuditComplete(tx: Executor, jobId: string, metrics: Record<string, unknown>): Promise<void> {
  const expected = Number(metrics.audit_rows);
  if (!Number.isFinite(expected) || expected <= 0) return;
  const [row] = await queryRows<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes
        WHERE consolidation_job_id = ${jobId}::uuid AND operation <> 'rollback'`,
  );
  const found = Number(row?.n ?? 0);
  if (found < expected) throw new AuditIncompleteError(jobId, expected, found);
}

/** Sets is_consolidated back to false on the memories the job only examined (its `examine` rows). */
async function restoreExamined(tx: Executor, by: RollbackActor): Promise<void> {
  await tx.execute(
    sql`UPDATE memcons.task_memories t SET is_consolidated = false
        WHERE t.id IN (SELECT jsonb_array_elements_text(c.new_state->'memory_ids')::uuid FROM memcons.consolidation_changes c
                       WHERE c.consolidation_job_id = ${by.jobId}::uuid AND c.operation = 'examine')
          AND t.is_consolidated
          ${by.skip.length > 0 ? sql`AND t.id <> ALL(${uuidList(by.skip)})` : sql``}`,
  );
}

function uuidList(ids: readonly string[]): SQL {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}

/** Who rolls back which job, when and why: the fixed columns of every rollback audit row. */
interface RollbackActor {
  jobId: string;
  now: Date;
  actor: string;
  reason: string;
  /** Memories to leave alone (changed after the job; rolled back with force). */
  skip: readonly string[];
}

/** INSERT of one `rollback` audit row per row of `source` (a CTE name), for use as a CTE body. */
function rollbackAudit(by: RollbackActor, source: SQL, memoryId: SQL, previousState: SQL, newState: SQL): SQL {
  return insertChanges(
    { jobId: by.jobId, operation: "rollback", at: by.now, actor: by.actor },
    { memoryId, previousState, newState, reason: sql`${by.reason}`, confidence: sql`NULL` },
    source,
  );
}

function createdMemories(jobId: string) {
  return sql`(SELECT memory_id FROM memcons.consolidation_changes
              WHERE consolidation_job_id = ${jobId}::uuid AND operation IN ('merge', 'summarize')
                AND previous_state IS NULL) AS created`;
}

async function lockTouched(tx: Executor, jobId: string): Promise<void> {
  await queryRows(tx, 
    sql`SELECT t.id FROM memcons.task_memories t
        WHERE t.id IN (SELECT memory_id FROM memcons.consolidation_changes
                       WHERE consolidation_job_id = ${jobId}::uuid AND operation IN ('merge', 'summarize', 'archive'))
        ORDER BY t.id FOR UPDATE`,
  );
}

/** Touched memories whose version or updated_at differ from what the job left, with the columns that changed. */
async function findConflicts(tx: Executor, jobId: string): Promise<RollbackConflict[]> {
  const found = await queryRows<{ id: string; changed: string[] | string | null }>(
    tx,
    sql`WITH last AS (
          SELECT DISTINCT ON (memory_id) memory_id, new_state FROM memcons.consolidation_changes
          WHERE consolidation_job_id = ${jobId}::uuid AND operation IN ('merge', 'summarize', 'archive')
          ORDER BY memory_id, changed_at DESC, id DESC
        ), first AS (
          SELECT DISTINCT ON (memory_id) memory_id, previous_state FROM memcons.consolidation_changes
          WHERE consolidation_job_id = ${jobId}::uuid AND operation IN ('merge', 'archive')
            AND previous_state IS NOT NULL
          ORDER BY memory_id, changed_at, id
        ), cur AS (
          -- What the job left: the row before it, overlaid with the job's last write.
          SELECT t.id, coalesce(first.previous_state, '{}'::jsonb) || last.new_state AS left_by_job,
            ${memoryJson("t")} AS now
          FROM last LEFT JOIN first ON first.memory_id = last.memory_id
          JOIN memcons.task_memories t ON t.id = last.memory_id
          WHERE t.version IS DISTINCT FROM (last.new_state->>'version')::int
             OR t.updated_at IS DISTINCT FROM (last.new_state->>'updated_at')::timestamptz
        )
        SELECT cur.id, array_to_json(ARRAY(
          SELECT e.key FROM jsonb_each(cur.left_by_job) e
          WHERE left(e.key, 1) <> '_' AND e.key NOT IN ('version', 'updated_at')
            AND cur.now->e.key IS DISTINCT FROM e.value ORDER BY e.key))::text AS changed
        FROM cur ORDER BY cur.id`,
  );
  return found.map((r) => {
    const changed = typeof r.changed === "string" ? (JSON.parse(r.changed) as string[]) : (r.changed ?? []);
    return { memory_id: String(r.id), changed: changed.length > 0 ? changed : ["version"] };
  });
}

async function restoreMemories(tx: Executor, audit: RollbackActor): Promise<number> {
  const { jobId } = audit;
  const assignments = sql.join(
    RESTORED_COLUMNS.map((name) => sql`${sql.identifier(name)} = r.${sql.identifier(name)}`),
    sql`, `,
  );
  const result = await queryRows<{ n: number }>(
    tx,
    sql`WITH first AS (
          SELECT DISTINCT ON (memory_id) memory_id, previous_state FROM memcons.consolidation_changes
          WHERE consolidation_job_id = ${jobId}::uuid AND operation IN ('merge', 'archive')
            AND previous_state IS NOT NULL
            ${audit.skip.length > 0 ? sql`AND memory_id <> ALL(${uuidList(audit.skip)})` : sql``}
          ORDER BY memory_id, changed_at, id
        ), upd AS (
          UPDATE memcons.task_memories t SET ${assignments}
          FROM (
            SELECT f.memory_id, f.previous_state, ${memoryJson("o")} AS cur
            FROM first f JOIN memcons.task_memories o ON o.id = f.memory_id
          ) s, LATERAL jsonb_populate_record(NULL::memcons.task_memories, s.previous_state) r
          WHERE t.id = s.memory_id
          RETURNING t.*, s.cur AS _cur
        ), audit AS (${rollbackAudit(audit, sql`upd`, sql`upd.id`, sql`upd._cur`, memoryJson("upd"))})
        SELECT count(*)::int AS n FROM audit`,
  );
  return Number(result[0]?.n ?? 0);
}

async function deleteCreatedMemories(tx: Executor, audit: RollbackActor): Promise<number> {
  const { jobId } = audit;
  const result = await queryRows<{ n: number }>(
    tx,
    sql`WITH del AS (
          DELETE FROM memcons.task_memories t WHERE t.id IN (SELECT memory_id FROM ${createdMemories(jobId)})
            ${
              audit.skip.length > 0
                ? sql`AND t.id <> ALL(${uuidList(audit.skip)})
                      AND NOT EXISTS (SELECT 1 FROM memcons.task_memories d WHERE d.duplicate_of = t.id
                                        AND d.id = ANY(${uuidList(audit.skip)}))`
                : sql``
            }
          RETURNING t.*
        ), audit AS (${rollbackAudit(audit, sql`del`, sql`del.id`, memoryJson("del"), sql`NULL`)})
        SELECT count(*)::int AS n FROM audit`,
  );
  return Number(result[0]?.n ?? 0);
}

async function deletePlaybookEntries(tx: Executor, audit: RollbackActor): Promise<{ deleted: number; missing: number }> {
  const { jobId } = audit;
  const result = await queryRows<{ n: number; expected: number }>(
    tx,
    sql`WITH promoted AS (
          SELECT memory_id, (new_state->'playbook_entry'->>'id')::uuid AS entry_id FROM memcons.consolidation_changes
          WHERE consolidation_job_id = ${jobId}::uuid AND operation = 'promote'
        ), del AS (
          DELETE FROM memcons.playbook_entries p USING promoted WHERE p.id = promoted.entry_id
          RETURNING p.*, promoted.memory_id AS _memory_id
        ), audit AS (${rollbackAudit(
          audit,
          sql`del`,
          sql`del._memory_id`,
          sql`jsonb_build_object('playbook_entry', ${entryJson("del")})`,
          sql`NULL`,
        )})
        SELECT (SELECT count(*) FROM audit)::int AS n, (SELECT count(*) FROM promoted)::int AS expected`,
  );
  const deleted = Number(result[0]?.n ?? 0);
  return { deleted, missing: Number(result[0]?.expected ?? 0) - deleted };
}
