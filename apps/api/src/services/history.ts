import {
  type ChangeOperation,
  type ConsolidationChange,
  changeToDict,
  consolidationChanges,
  consolidationJobs,
  type Database,
  type JobStatus,
  jobToDict,
} from "@memcons/models";
import { and, desc, eq, getTableColumns, gte, inArray, lt, lte, type SQL, sql } from "drizzle-orm";
import { afterKeyset, cursorTimestamp, decodeKeyset, keysetPage } from "./cursor.js";

/** Changes listed per job in the history (the rest are counted in `changes_total`). */
export const HISTORY_CHANGES_PER_JOB = 50;

/** Filters of the history endpoint. */
export interface HistoryInput {
  from?: string | undefined;
  to?: string | undefined;
  operation?: ChangeOperation | undefined;
  status?: JobStatus | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** One job of the history page. */
export type HistoryJob = ReturnType<typeof historyJob>;

/** A project's jobs, newest first, each with before/after memory counts and its first changes. */
export async function jobHistory(
  db: Database,
  projectId: string,
  input: HistoryInput,
): Promise<{ jobs: HistoryJob[]; nextCursor: string | null }> {
  const filters: SQL[] = [eq(consolidationJobs.projectId, projectId)];
  if (input.from) filters.push(gte(consolidationJobs.createdAt, new Date(input.from)));
  if (input.to) filters.push(lt(consolidationJobs.createdAt, new Date(input.to)));
  if (input.status) filters.push(eq(consolidationJobs.status, input.status));
  if (input.operation) {
    filters.push(
      sql`exists (select 1 from ${consolidationChanges} c where c.consolidation_job_id = ${consolidationJobs.id} and c.operation = ${input.operation})`,
    );
  }
  if (input.cursor) {
    filters.push(afterKeyset(consolidationJobs.createdAt, consolidationJobs.id, decodeKeyset(input.cursor)));
  }
  const rows = await db.orm
    .select({ job: consolidationJobs, ts: cursorTimestamp(consolidationJobs.createdAt) })
    .from(consolidationJobs)
    .where(and(...filters))
    .orderBy(desc(consolidationJobs.createdAt), desc(consolidationJobs.id))
    .limit(input.limit + 1);
  const { page, nextCursor } = keysetPage(rows, input.limit, (row) => row.job.id);
  const jobIds = page.map((row) => row.job.id);
  const { changes, totals, effects } = await loadChanges(db, jobIds, input.operation);
  return {
    jobs: page.map((row) =>
      historyJob(row.job, changes.get(row.job.id) ?? [], totals.get(row.job.id) ?? 0, effects.get(row.job.id)),
    ),
    nextCursor,
  };
}

/** Net effect of a job on its project's active memory count, from its audit rows. */
interface JobEffects {
  created: number;
  removed: number;
}

async function loadChanges(db: Database, jobIds: string[], operation: ChangeOperation | undefined) {
  const changes = new Map<string, ConsolidationChange[]>();
  const totals = new Map<string, number>();
  const effects = new Map<string, JobEffects>();
  if (jobIds.length === 0) return { changes, totals, effects };
  const inJobs = inArray(consolidationChanges.consolidationJobId, jobIds);
  const filter = operation ? and(inJobs, eq(consolidationChanges.operation, operation)) : inJobs;
  const ranked = db.orm
    .select({
      ...getTableColumns(consolidationChanges),
      rank: sql<number>`row_number() over (partition by ${consolidationChanges.consolidationJobId} order by ${consolidationChanges.changedAt}, ${consolidationChanges.id})`.as(
        "rank",
      ),
    })
    .from(consolidationChanges)
    .where(filter)
    .as("ranked");
  const [rows, counts] = await Promise.all([
    db.orm.select().from(ranked).where(lte(ranked.rank, HISTORY_CHANGES_PER_JOB)).orderBy(ranked.rank),
    db.orm
      .select({
        jobId: consolidationChanges.consolidationJobId,
        total: sql<number>`count(*) filter (where ${operation ? sql`${consolidationChanges.operation} = ${operation}` : sql`true`})::int`,
        created: sql<number>`count(*) filter (where ${consolidationChanges.operation} in ('merge', 'summarize') and ${consolidationChanges.previousState} is null)::int`,
        removed: sql<number>`count(*) filter (where ${consolidationChanges.operation} in ('merge', 'archive') and ${consolidationChanges.previousState} is not null)::int`,
      })
      .from(consolidationChanges)
      .where(inJobs)
      .groupBy(consolidationChanges.consolidationJobId),
  ]);
  // Every row belongs to one of jobIds: changes made by hand (no job) never match the filter.
  for (const { rank: _rank, ...change } of rows) {
    if (change.consolidationJobId === null) continue;
    const list = changes.get(change.consolidationJobId) ?? [];
    list.push(change);
    changes.set(change.consolidationJobId, list);
  }
  for (const row of counts) {
    if (row.jobId === null) continue;
    totals.set(row.jobId, Number(row.total));
    effects.set(row.jobId, { created: Number(row.created), removed: Number(row.removed) });
  }
  return { changes, totals, effects };
}

/**
 * Shapes one history entry. memories_before/after are the engine's recorded counts of the memories the
 * job examined (`memories_in`/`memories_out` in its metrics); for a job without them they are derived
 * from its audit rows: the memories it merged away or archived, and what remained of them plus what it created.
 */
export function historyJob(
  job: Parameters<typeof jobToDict>[0],
  changes: ConsolidationChange[],
  changesTotal: number,
  effects: JobEffects | undefined,
) {
  const {
    run_at: _runAt,
    locked_by: _lockedBy,
    locked_until: _lockedUntil,
    cancel_requested_at: _cancel,
    ...dict
  } = jobToDict(job);
  const metrics = job.metrics ?? {};
  let before = numberOrNull(metrics.memories_before ?? metrics.memories_in);
  let after = numberOrNull(metrics.memories_after ?? metrics.memories_out);
  const net = effects ? effects.created - effects.removed : 0;
  if (before !== null && after === null) after = before + net;
  else if (before === null && after !== null) before = after - net;
  else if (before === null && after === null && effects) {
    before = effects.removed;
    after = effects.created;
  }
  return {
    ...dict,
    memories_before: before,
    memories_after: after,
    changes: changes.map(changeToDict),
    changes_total: changesTotal,
  };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? Math.round(value) : null;
}
