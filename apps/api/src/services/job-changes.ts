import { type ConsolidationChange, consolidationChanges, consolidationJobs, type Database, JobNotFoundError } from "@memcons/models";
import { and, desc, eq, type SQL } from "drizzle-orm";
import { afterKeyset, cursorTimestamp, decodeKeyset, keysetPage } from "./cursor.js";

/** Paging of a job's audit rows. */
export interface JobChangesInput {
  limit: number;
  cursor?: string | undefined;
}

/** Every audit row of one job (rollback rows included), newest first, in keyset pages; JobNotFoundError when there is no such job. */
export async function jobChanges(
  db: Database,
  jobId: string,
  input: JobChangesInput,
): Promise<{ projectId: string; changes: ConsolidationChange[]; nextCursor: string | null }> {
  const [job] = await db.orm
    .select({ projectId: consolidationJobs.projectId })
    .from(consolidationJobs)
    .where(eq(consolidationJobs.id, jobId));
  if (!job) throw new JobNotFoundError(jobId);
  const filters: SQL[] = [eq(consolidationChanges.consolidationJobId, jobId)];
  if (input.cursor) {
    filters.push(afterKeyset(consolidationChanges.changedAt, consolidationChanges.id, decodeKeyset(input.cursor)));
  }
  const rows = await db.orm
    .select({ change: consolidationChanges, ts: cursorTimestamp(consolidationChanges.changedAt) })
    .from(consolidationChanges)
    .where(and(...filters))
    .orderBy(desc(consolidationChanges.changedAt), desc(consolidationChanges.id))
    .limit(input.limit + 1);
  const { page, nextCursor } = keysetPage(rows, input.limit, (row) => row.change.id);
  return { projectId: job.projectId, changes: page.map((row) => row.change), nextCursor };
}
