import { type ConsolidationChange, consolidationChanges, type Database } from "@memcons/models";
import { inArray, type SQL, sql } from "drizzle-orm";
import { afterKeyset, cursorTimestamp, decodeKeyset, keysetPage } from "./cursor.js";

/** Filters of a project's audit log. */
export interface ProjectChangesInput {
  from?: string | undefined;
  to?: string | undefined;
  operation?: ConsolidationChange["operation"] | undefined;
  source?: "job" | "manual" | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * A project's audit rows, newest first: those of its jobs (and their rollbacks) and those made by hand
 * to its memories.
 */
export async function projectChanges(
  db: Database,
  projectId: string,
  input: ProjectChangesInput,
): Promise<{ changes: ConsolidationChange[]; nextCursor: string | null }> {
  const take = input.limit + 1;
  const filters = rowFilters(input);
  // Each job's newest rows come straight off (job, changed_at, id) and the rows made by hand off their
  // partial index, so a page costs a few index probes per job, however large the jobs are.
  const byJob = sql`SELECT c.id, c.changed_at FROM memcons.consolidation_jobs j
    CROSS JOIN LATERAL (
      SELECT c.id, c.changed_at FROM memcons.consolidation_changes c
      WHERE c.consolidation_job_id = j.id ${filters}
      ORDER BY c.changed_at DESC, c.id DESC LIMIT ${take}) c
    WHERE j.project_id = ${projectId}::uuid`;
  const byHand = sql`(SELECT c.id, c.changed_at FROM memcons.consolidation_changes c
    WHERE c.consolidation_job_id IS NULL ${filters}
      AND EXISTS (SELECT 1 FROM memcons.task_memories t WHERE t.id = c.memory_id AND t.project_id = ${projectId}::uuid)
    ORDER BY c.changed_at DESC, c.id DESC LIMIT ${take})`;
  const branches = input.source === "job" ? byJob : input.source === "manual" ? byHand : sql`${byJob} UNION ALL ${byHand}`;
  const rows = await db.rows<{ id: string; ts: string }>(sql`SELECT x.id, ${cursorTimestamp(sql`x.changed_at`)} AS ts
    FROM (${branches}) x ORDER BY x.changed_at DESC, x.id DESC LIMIT ${take}`);
  const { page, nextCursor } = keysetPage(rows, input.limit, (row) => row.id);
  if (page.length === 0) return { changes: [], nextCursor };
  const full = await db.orm
    .select()
    .from(consolidationChanges)
    .where(inArray(consolidationChanges.id, page.map((row) => row.id)));
  const byId = new Map(full.map((change) => [change.id, change]));
  return { changes: page.flatMap((row) => byId.get(row.id) ?? []), nextCursor };
}

/** Conditions (alias `c`) every branch applies: time window, operation and the cursor's position. */
function rowFilters(input: ProjectChangesInput): SQL {
  const parts: SQL[] = [];
  if (input.from) parts.push(sql`AND c.changed_at >= ${input.from}::timestamptz`);
  if (input.to) parts.push(sql`AND c.changed_at < ${input.to}::timestamptz`);
  if (input.operation) parts.push(sql`AND c.operation = ${input.operation}`);
  if (input.cursor) parts.push(sql`AND ${afterKeyset(sql`c.changed_at`, sql`c.id`, decodeKeyset(input.cursor))}`);
  return sql.join(parts, sql` `);
}
