import { type ConsolidationChange, consolidationChanges, type Database } from "@memcons/models";
import { and, desc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
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
  const c = consolidationChanges;
  const byJob = sql`${c.consolidationJobId} IN (SELECT id FROM consolidation_jobs WHERE project_id = ${projectId}::uuid)`;
  const byHand = sql`(${c.consolidationJobId} IS NULL
    AND ${c.memoryId} IN (SELECT id FROM task_memories WHERE project_id = ${projectId}::uuid))`;
  const source = input.source === "job" ? byJob : input.source === "manual" ? byHand : sql`(${byJob} OR ${byHand})`;
  const filters: SQL[] = [source];
  if (input.from) filters.push(gte(c.changedAt, new Date(input.from)));
  if (input.to) filters.push(lt(c.changedAt, new Date(input.to)));
  if (input.operation) filters.push(eq(c.operation, input.operation));
  if (input.cursor) filters.push(afterKeyset(c.changedAt, c.id, decodeKeyset(input.cursor)));
  const rows = await db.orm
    .select({ change: consolidationChanges, ts: cursorTimestamp(c.changedAt) })
    .from(consolidationChanges)
    .where(and(...filters))
    .orderBy(desc(c.changedAt), desc(c.id))
    .limit(input.limit + 1);
  const { page, nextCursor } = keysetPage(rows, input.limit, (row) => row.change.id);
  return { changes: page.map((row) => row.change), nextCursor };
}
