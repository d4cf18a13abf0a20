import { type ConsolidationJob, consolidationJobs, type Database } from "@memcons/models";
import { and, desc, eq, sql } from "drizzle-orm";

/** Expected run time of a job when its project has no completed job to learn from. */
export const DEFAULT_JOB_ESTIMATE_SECONDS = 60;

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
