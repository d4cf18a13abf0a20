import { randomUUID } from "node:crypto";
import { consolidationJobs, type Database, type Executor, JobNotFoundError, queryRows, isUuid } from "@memcons/models";
import { eq, type SQL, sql } from "drizzle-orm";
import { jsonb, timestamp } from "./sql-params.js";
import {
  AlreadyRolledBackError,
  JobNotFinishedError,
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
    await lockTouched(tx, jobId);
    const conflicts = await findConflicts(tx, jobId);
    if (conflicts.length > 0) throw new RollbackConflictError(jobId, conflicts);
    const missing = await queryRows<{ memory_id: string; created: boolean }>(
      tx,
      sql`SELECT DISTINCT c.memory_id, (c.previous_state IS NULL) AS created FROM consolidation_changes c
          WHERE c.consolidation_job_id = ${jobId}::uuid AND c.operation IN ('merge', 'summarize', 'archive')
            AND NOT EXISTS (SELECT 1 FROM task_memories t WHERE t.id = c.memory_id)
          ORDER BY c.memory_id`,
    );
    for (const m of missing) {
      warnings.push(
        m.created
          ? `Memory ${m.memory_id} created by the job was already deleted`
          : `Memory ${m.memory_id} no longer exists and could not be restored`,
      );
    }
    const by: RollbackActor = { jobId, now, actor, reason };
    const restored = await restoreMemories(tx, by);
    const orphaned = await queryRows<{ n: number }>(
      tx,
      sql`SELECT count(*)::int AS n FROM task_memories t
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
    };
    await queryRows(tx, 
      sql`UPDATE consolidation_jobs SET rolled_back_at = ${timestamp(now)},
            metrics = metrics || jsonb_build_object('rollback', ${jsonb(JSON.stringify(summary))})
          WHERE id = ${jobId}::uuid`,
    );
    return {
      rollback_id: rollbackId,
      memories_restored: restored,
      memories_deleted: deleted,
      playbook_entries_deleted: entries.deleted,
      warnings,
    };
  });
}

/** Who rolls back which job, when and why: the fixed columns of every rollback audit row. */
interface RollbackActor {
  jobId: string;
  now: Date;
  actor: string;
  reason: string;
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
  return sql`(SELECT memory_id FROM consolidation_changes
              WHERE consolidation_job_id = ${jobId}::uuid AND operation IN ('merge', 'summarize')
                AND previous_state IS NULL) AS created`;
}

async function lockTouched(tx: Executor, jobId: string): Promise<void> {
  await queryRows(tx, 
    sql`SELECT t.id FROM task_memories t
        WHERE t.id IN (SELECT memory_id FROM consolidation_changes
                       WHERE consolidation_job_id = ${jobId}::uuid AND operation IN ('merge', 'summarize', 'archive'))
        ORDER BY t.id FOR UPDATE`,
  );
}

/** Touched memories whose version or updated_at differ from what the job left. */
async function findConflicts(tx: Executor, jobId: string): Promise<string[]> {
  const found = await queryRows<{ id: string }>(
    tx,
    sql`WITH last AS (
          SELECT DISTINCT ON (memory_id) memory_id, new_state FROM consolidation_changes
          WHERE consolidation_job_id = ${jobId}::uuid AND operation IN ('merge', 'summarize', 'archive')
          ORDER BY memory_id, changed_at DESC, id DESC
        )
        SELECT t.id FROM last JOIN task_memories t ON t.id = last.memory_id
        WHERE t.version IS DISTINCT FROM (last.new_state->>'version')::int
           OR t.updated_at IS DISTINCT FROM (last.new_state->>'updated_at')::timestamptz
        ORDER BY t.id`,
  );
  return found.map((r) => r.id);
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
          SELECT DISTINCT ON (memory_id) memory_id, previous_state FROM consolidation_changes
          WHERE consolidation_job_id = ${jobId}::uuid AND operation IN ('merge', 'archive')
            AND previous_state IS NOT NULL
          ORDER BY memory_id, changed_at, id
        ), upd AS (
          UPDATE task_memories t SET ${assignments}
          FROM (
            SELECT f.memory_id, f.previous_state, ${memoryJson("o")} AS cur
            FROM first f JOIN task_memories o ON o.id = f.memory_id
          ) s, LATERAL jsonb_populate_record(NULL::task_memories, s.previous_state) r
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
          DELETE FROM task_memories t WHERE t.id IN (SELECT memory_id FROM ${createdMemories(jobId)})
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
          SELECT memory_id, (new_state->'playbook_entry'->>'id')::uuid AS entry_id FROM consolidation_changes
          WHERE consolidation_job_id = ${jobId}::uuid AND operation = 'promote'
        ), del AS (
          DELETE FROM playbook_entries p USING promoted WHERE p.id = promoted.entry_id
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
