import { type ConsolidationJob, consolidationJobs, type Database, JobNotFoundError } from "@memcons/models";
import { and, desc, eq, sql } from "drizzle-orm";

/** Expected run time of a job when its project has no completed job to learn from. */
export const DEFAULT_JOB_ESTIMATE_SECONDS = 60;

/** Status of one job as GET /status returns it. */
export type JobStatusBody = ReturnType<typeof statusBody>;

/** The job columns the status body shows (not options, scope or metrics: jsonb is costly to print). */
const STATUS_COLUMNS = {
  id: consolidationJobs.id,
  projectId: consolidationJobs.projectId,
  status: consolidationJobs.status,
  triggerType: consolidationJobs.triggerType,
  triggeredBy: consolidationJobs.triggeredBy,
  progress: consolidationJobs.progress,
  createdAt: consolidationJobs.createdAt,
  startedAt: consolidationJobs.startedAt,
  completedAt: consolidationJobs.completedAt,
  durationSeconds: consolidationJobs.durationSeconds,
  retryCount: consolidationJobs.retryCount,
  memoriesMerged: consolidationJobs.memoriesMerged,
  memoriesArchived: consolidationJobs.memoriesArchived,
  memoriesPromoted: consolidationJobs.memoriesPromoted,
  summariesCreated: consolidationJobs.summariesCreated,
  phasesCompleted: consolidationJobs.phasesCompleted,
  errorMessage: consolidationJobs.errorMessage,
  cancelRequestedAt: consolidationJobs.cancelRequestedAt,
  rolledBackAt: consolidationJobs.rolledBackAt,
};

/** The fields of a job the status body shows. */
export type StatusFields = Pick<ConsolidationJob, keyof typeof STATUS_COLUMNS>;

/** Operations whose audit rows with no previous state record a memory the job created. */
const CREATING_OPERATIONS = sql.raw(`'merge', 'summarize'`);

function buildStatusQuery(db: Database) {
  // One scan of the job's audit rows yields both id lists, as "<change ids>|<created memory ids>".
  // No DISTINCT or ORDER BY inside the aggregates (each sort costs more than the rest of the query, and the
  // database is what saturates first under polling): splitIds dedupes and sorts in the API process instead.
  // The subquery names the outer table explicitly: Drizzle leaves columns of a single-table select unqualified.
  return db.orm
    .select({
      job: STATUS_COLUMNS,
      ids: sql<string | null>`(select coalesce(string_agg(c.id::text, ','), '') || '|' ||
        coalesce(string_agg(c.memory_id::text, ',') filter (where c.operation in (${CREATING_OPERATIONS})
          and c.previous_state is null and c.memory_id is not null), '')
        from consolidation_changes c where c.consolidation_job_id = consolidation_jobs.id)`,
    })
    .from(consolidationJobs)
    .where(eq(consolidationJobs.id, sql.placeholder("jobId")))
    .limit(1)
    .prepare("memcons_api_job_status");
}

/** The status query is built and prepared once per database: it is the API's hottest read. */
const statusQueries = new WeakMap<Database, ReturnType<typeof buildStatusQuery>>();

/** Loads a job with the ids of its change rows and of the memories it created, in one query. */
export async function getJobStatus(db: Database, jobId: string): Promise<JobStatusBody> {
  let query = statusQueries.get(db);
  if (!query) {
    query = buildStatusQuery(db);
    statusQueries.set(db, query);
  }
  const [row] = await query.execute({ jobId });
  if (!row) throw new JobNotFoundError(jobId);
  const [changeIds = "", createdIds = ""] = (row.ids ?? "|").split("|");
  return statusBody(row.job, splitIds(changeIds), splitIds(createdIds));
}

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

/** Shapes a job and its change/created ids as the status body. */
export function statusBody(job: StatusFields, changeIds: string[], createdIds: string[]) {
  return {
    job_id: job.id,
    project_id: job.projectId,
    status: job.status,
    trigger_type: job.triggerType,
    triggered_by: job.triggeredBy,
    progress: job.progress,
    created_at: iso(job.createdAt),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    duration_seconds: job.durationSeconds,
    retry_count: job.retryCount,
    memories_merged: job.memoriesMerged,
    memories_archived: job.memoriesArchived,
    memories_promoted: job.memoriesPromoted,
    summaries_created: job.summariesCreated,
    phases_completed: [...(job.phasesCompleted ?? [])],
    consolidation_changes: changeIds,
    created_memory_ids: createdIds,
    error_message: job.errorMessage,
    cancel_requested_at: iso(job.cancelRequestedAt),
    rolled_back_at: iso(job.rolledBackAt),
  };
}

/** Estimates when a job finishes from the mean duration of its project's last completed jobs. */
export async function estimateCompletion(db: Database, job: ConsolidationJob, now = new Date()): Promise<Date> {
  const recent = db.orm
    .select({ duration: consolidationJobs.durationSeconds })
    .from(consolidationJobs)
    .where(
      and(
        eq(consolidationJobs.projectId, job.projectId),
        eq(consolidationJobs.status, "completed"),
        sql`${consolidationJobs.durationSeconds} is not null`,
      ),
    )
    .orderBy(desc(consolidationJobs.createdAt))
    .limit(10)
    .as("recent");
  const [row] = await db.orm.select({ mean: sql<number | string | null>`avg(${recent.duration})` }).from(recent);
  const mean = row?.mean == null ? DEFAULT_JOB_ESTIMATE_SECONDS : Number(row.mean);
  const seconds = Number.isFinite(mean) && mean > 0 ? mean : DEFAULT_JOB_ESTIMATE_SECONDS;
  if (job.completedAt) return job.completedAt;
  const start = job.startedAt ?? new Date(Math.max(now.getTime(), job.runAt.getTime()));
  return new Date(Math.max(start.getTime() + seconds * 1000, now.getTime() + 1000));
}

/** Splits a comma-joined id list (cheaper to transfer and parse than a uuid[]) into sorted, distinct ids. */
function splitIds(value: string): string[] {
  return value ? [...new Set(value.split(","))].sort() : [];
}
