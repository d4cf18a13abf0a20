import type { EventEmitter } from "node:events";
import { consolidationJobs, type Database, type Logger, noopLogger } from "@memcons/models";
import { eq, sql } from "drizzle-orm";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The part of a job event the metrics read. */
interface JobEventLike {
  type: string;
  job_id: string;
}

/** Prometheus metrics of a worker process, in their own registry. */
export interface WorkerMetrics {
  readonly registry: Registry;
  /** Counts jobs whose expired lease this process reclaimed. */
  readonly leaseReclaims: Counter;
  /** Counts audit rows this process deleted as older than the retention period. */
  readonly auditRowsPurged: Counter;
  /** Records a finished job: duration histogram and memory counters. */
  recordFinishedJob(jobId: string): Promise<void>;
  /** Follows a runner's "event" emitter; returns a function that stops following. */
  follow(events: EventEmitter): () => void;
  /** Prometheus text exposition of every metric. */
  render(): Promise<string>;
}

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** Creates the worker's metrics; gauges about the queue are read from the database at scrape time. */
export function createWorkerMetrics(o: {
  db: Database;
  logger?: Logger;
  runningJobs?: () => number;
  defaultMetrics?: boolean;
}): WorkerMetrics {
  const { db } = o;
  const logger = o.logger ?? noopLogger;
  const registry = new Registry();
  if (o.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const databaseUp = new Gauge({
    name: "memcons_database_up",
    help: "1 when the last scrape could query the database, else 0",
    registers: [registry],
    collect: () => refreshOnce(),
  });
  const jobs = new Gauge({
    name: "memcons_jobs",
    help: "Consolidation jobs in the database by status and trigger type",
    labelNames: ["status", "trigger_type"] as const,
    registers: [registry],
    collect: () => refreshOnce(),
  });
  const queueDepth = new Gauge({
    name: "memcons_queue_depth",
    help: "Pending jobs whose run_at has come (waiting for a worker)",
    registers: [registry],
    collect: () => refreshOnce(),
  });
  const oldestPending = new Gauge({
    name: "memcons_oldest_pending_job_age_seconds",
    help: "Seconds the oldest due pending job has waited since its run_at (0 when none)",
    registers: [registry],
    collect: () => refreshOnce(),
  });
  new Gauge({
    name: "memcons_worker_running_jobs",
    help: "Jobs this process is running now",
    registers: [registry],
    collect() {
      this.set(o.runningJobs?.() ?? 0);
    },
  });
  const duration = new Histogram({
    name: "memcons_job_duration_seconds",
    help: "Duration of jobs this process finished, by final status and trigger type",
    labelNames: ["status", "trigger_type"] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const finished = new Counter({
    name: "memcons_jobs_finished_total",
    help: "Jobs this process finished, by final status and trigger type",
    labelNames: ["status", "trigger_type"] as const,
    registers: [registry],
  });
  const memoryCounter = (name: string, help: string) =>
    new Counter({ name: `memcons_${name}_total`, help, registers: [registry] });
  const merged = memoryCounter("memories_merged", "Memories merged by jobs this process ran");
  const archived = memoryCounter("memories_archived", "Memories archived by jobs this process ran");
  const promoted = memoryCounter("memories_promoted", "Memories promoted to the playbook by jobs this process ran");
  const summaries = memoryCounter("summaries_created", "Synthesis memories created by jobs this process ran");
  const leaseReclaims = new Counter({
    name: "memcons_lease_reclaims_total",
    help: "Running jobs whose lease had expired (their worker died) that this process put back in the queue",
    registers: [registry],
  });
  const auditRowsPurged = new Counter({
    name: "memcons_audit_rows_purged_total",
    help: "Audit rows (consolidation_changes) this process deleted as older than the retention period",
    registers: [registry],
  });

  // Every database-derived gauge awaits the same refresh, so one scrape runs the queries once.
  let inflight: Promise<void> | null = null;
  function refreshOnce(): Promise<void> {
    inflight ??= refreshQueueGauges()
      .then(() => databaseUp.set(1))
      .catch((error: unknown) => {
        databaseUp.set(0);
        logger.warn({ error }, "metrics: database query failed");
      })
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }

  async function refreshQueueGauges(): Promise<void> {
    const byStatus = await db.rows<{ status: string; trigger_type: string; n: number | string }>(sql`
      select status, trigger_type, count(*)::int as n
      from consolidation_jobs group by status, trigger_type`);
    const [queue] = await db.rows<{ depth: number | string; age: number | string | null }>(sql`
      select count(*)::int as depth,
             coalesce(extract(epoch from (now() - min(run_at))), 0)::float8 as age
      from consolidation_jobs where status = 'pending' and run_at <= now()`);
    jobs.reset();
    for (const row of byStatus) jobs.set({ status: row.status, trigger_type: row.trigger_type }, Number(row.n));
    queueDepth.set(Number(queue?.depth ?? 0));
    oldestPending.set(Math.max(0, Number(queue?.age ?? 0)));
  }

  async function recordFinishedJob(jobId: string): Promise<void> {
    const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId)).limit(1);
    if (!job) return;
    const labels = { status: job.status, trigger_type: job.triggerType };
    finished.inc(labels);
    if (job.durationSeconds != null) duration.observe(labels, job.durationSeconds);
    else if (job.startedAt && job.completedAt) {
      duration.observe(labels, Math.max(0, (job.completedAt.getTime() - job.startedAt.getTime()) / 1000));
    }
    merged.inc(job.memoriesMerged);
    archived.inc(job.memoriesArchived);
    promoted.inc(job.memoriesPromoted);
    summaries.inc(job.summariesCreated);
  }

  return {
    registry,
    leaseReclaims,
    auditRowsPurged,
    recordFinishedJob,
    follow(events) {
      const onEvent = (event: JobEventLike) => {
        if (!FINISHED.has(event.type)) return;
        recordFinishedJob(event.job_id).catch((error: unknown) =>
          logger.warn({ error, job_id: event.job_id }, "metrics: could not record a finished job"),
        );
      };
      events.on("event", onEvent);
      return () => events.off("event", onEvent);
    },
    render: () => registry.metrics(),
  };
}
