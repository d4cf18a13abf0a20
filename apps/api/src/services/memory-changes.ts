import { type ConsolidationChange, consolidationChanges, type Database, taskMemories } from "@memcons/models";
import { and, desc, eq, sql } from "drizzle-orm";
import { ApiError } from "../errors.js";

/**
 * The newest `limit` audit rows of one memory of a project, newest first: those of the jobs that
 * touched it and of changes made by hand. A memory a rollback deleted keeps its trail through its jobs.
 */
export async function memoryChanges(
  db: Database,
  projectId: string,
  memoryId: string,
  limit: number,
): Promise<ConsolidationChange[]> {
  const memoryInProject = sql`exists (select 1 from memcons.task_memories t
    where t.id = ${memoryId}::uuid and t.project_id = ${projectId}::uuid)`;
  const jobInProject = sql`exists (select 1 from memcons.consolidation_jobs j
    where j.id = consolidation_changes.consolidation_job_id and j.project_id = ${projectId}::uuid)`;
  const rows = await db.orm
    .select()
    .from(consolidationChanges)
    .where(and(eq(consolidationChanges.memoryId, memoryId), sql`(${memoryInProject} or ${jobInProject})`))
    .orderBy(desc(consolidationChanges.changedAt), desc(consolidationChanges.id))
    .limit(limit);
  if (rows.length === 0) await assertMemoryInProject(db, projectId, memoryId);
  return rows;
}

async function assertMemoryInProject(db: Database, projectId: string, memoryId: string): Promise<void> {
  const found = await db.orm
    .select({ id: taskMemories.id })
    .from(taskMemories)
    .where(and(eq(taskMemories.id, memoryId), eq(taskMemories.projectId, projectId)))
    .limit(1);
  if (found.length === 0) throw new ApiError("not_found", `Memory ${memoryId} not found in project ${projectId}`);
}
