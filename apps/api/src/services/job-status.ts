import { consolidationJobs, type Database, JobNotFoundError } from "@memcons/models";
import { sql } from "drizzle-orm";

/** A timestamp column as the ISO 8601 text JavaScript's toISOString gives (UTC, milliseconds). */
const iso = (column: string) =>
  `to_char(consolidation_jobs.${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The status body of a job, built by the database as compact JSON text (the keys of JobStatusSchema, in order).
 * One scan of the job's audit rows yields both id lists, each sorted by id; both are distinct already:
 * change ids are keys, and a job creates each memory once. The columns name their table explicitly:
 * the subquery's own `id` would otherwise shadow the job's.
 */
const STATUS_JSON = sql.raw(`(select row_to_json(job_status)::text from (select
  consolidation_jobs.id as job_id,
  consolidation_jobs.project_id as project_id,
  consolidation_jobs.status as status,
  consolidation_jobs.trigger_type as trigger_type,
  consolidation_jobs.triggered_by as triggered_by,
  consolidation_jobs.progress as progress,
  ${iso("created_at")} as created_at,
  ${iso("started_at")} as started_at,
  ${iso("completed_at")} as completed_at,
  consolidation_jobs.duration_seconds as duration_seconds,
  consolidation_jobs.retry_count as retry_count,
  consolidation_jobs.memories_merged as memories_merged,
  consolidation_jobs.memories_archived as memories_archived,
  consolidation_jobs.memories_promoted as memories_promoted,
  consolidation_jobs.summaries_created as summaries_created,
  consolidation_jobs.phases_completed as phases_completed,
  coalesce(audit.change_ids, '[]'::json) as consolidation_changes,
  coalesce(audit.created_ids, '[]'::json) as created_memory_ids,
  consolidation_jobs.error_message as error_message,
  ${iso("cancel_requested_at")} as cancel_requested_at,
  ${iso("rolled_back_at")} as rolled_back_at
) job_status)`);

/** Audit rows with no previous state under these operations record a memory the job created. */
const AUDIT_IDS = sql.raw(`lateral (
  select array_to_json(array_agg(c.id order by c.id)) as change_ids,
    array_to_json(array_agg(c.memory_id order by c.memory_id) filter (
      where c.operation in ('merge', 'summarize') and c.previous_state is null and c.memory_id is not null
    )) as created_ids
  from memcons.consolidation_changes c where c.consolidation_job_id = consolidation_jobs.id
) audit`);

function buildStatusQuery(db: Database) {
  return db.orm
    .select({ id: consolidationJobs.id, body: sql<string>`${STATUS_JSON}` })
    .from(consolidationJobs)
    .leftJoin(sql`${AUDIT_IDS}`, sql`true`)
    .where(sql`${consolidationJobs.id} = any(string_to_array(${sql.placeholder("ids")}, ',')::uuid[])`)
    .prepare("memcons_api_job_statuses");
}

/** The status query is built and prepared once per database: it is the API's hottest read. */
const statusQueries = new WeakMap<Database, ReturnType<typeof buildStatusQuery>>();

/**
 * The status bodies (GET /status) of several jobs as JSON text, in the order of `jobIds`, in one query;
 * a JobNotFoundError in place of each job that does not exist.
 */
export async function readJobStatusesJson(
  db: Database,
  jobIds: readonly string[],
): Promise<Array<string | JobNotFoundError>> {
  let query = statusQueries.get(db);
  if (!query) {
    query = buildStatusQuery(db);
    statusQueries.set(db, query);
  }
  const rows = await query.execute({ ids: jobIds.join(",") });
  const bodies = new Map(rows.map((row) => [row.id, row.body]));
  return jobIds.map((id) => bodies.get(id) ?? new JobNotFoundError(id));
}
