import {
  type ConsolidationJob,
  type ConsolidationPlan,
  type ConsolidationPlanItem,
  consolidationJobs,
  consolidationPlanItems,
  consolidationPlans,
  type Database,
  JobNotFoundError,
  type PlanItemKind,
  isUuid,
} from "@memcons/models";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { MemoriesChangedError, PlanDecidedError, PlanNotFoundError, ProjectBusyError } from "../errors.js";
import type { DecisionOptions, EnqueueApplication } from "./proposals.js";


/** Options of getPlan: which items, one page at a time. */
export interface PlanItemsOptions {
  kind?: PlanItemKind;
  /** Page size (default 50). */
  limit?: number;
  /** Continue after this position. */
  afterPosition?: number;
}

/** A dry run's plan with one page of its items. */
export async function getPlan(
  db: Database,
  jobId: string,
  o: PlanItemsOptions = {},
): Promise<{ plan: ConsolidationPlan; items: ConsolidationPlanItem[] }> {
  const plan = await loadPlan(db, jobId);
  const i = consolidationPlanItems;
  const items = await db.orm
    .select()
    .from(i)
    .where(
      and(
        eq(i.jobId, jobId),
        o.kind ? eq(i.kind, o.kind) : undefined,
        o.afterPosition === undefined ? undefined : gt(i.position, o.afterPosition),
      ),
    )
    .orderBy(asc(i.position))
    .limit(o.limit ?? 50);
  return { plan, items };
}

/**
 * Applies a ready plan: re-checks the version of every memory it would merge or archive (refusing with
 * MemoriesChangedError and the changed ids), then queues the job that carries out exactly that plan.
 * The job's changes are audited and roll back like any job's.
 */
export async function applyPlan(
  db: Database,
  jobId: string,
  enqueue: EnqueueApplication,
  o: DecisionOptions = {},
): Promise<{ plan: ConsolidationPlan; job: ConsolidationJob }> {
  const plan = await loadPlan(db, jobId);
  if (plan.status !== "ready") throw new PlanDecidedError(jobId, plan.status);
  const changed = await db.rows<{ id: string }>(
    sql`SELECT DISTINCT u.id FROM memcons.consolidation_plan_items i
          CROSS JOIN LATERAL unnest(i.memory_ids, i.memory_versions) AS u(id, v)
          LEFT JOIN memcons.task_memories t ON t.id = u.id
        WHERE i.job_id = ${jobId}::uuid AND i.kind IN ('merge', 'archive')
          AND (t.id IS NULL OR t.version <> u.v OR t.is_duplicate OR t.is_archived)
        ORDER BY u.id`,
  );
  if (changed.length > 0) throw new MemoriesChangedError(`the plan of job ${jobId}`, changed.map((r) => r.id));
  const [dryRun] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId));
  if (!dryRun) throw new JobNotFoundError(jobId);
  const actor = o.actor ?? "admin";
  await setStatus(db, jobId, "applied", actor, o.now ?? new Date());
  let queued: Awaited<ReturnType<EnqueueApplication>>;
  try {
    queued = await enqueue({
      projectId: plan.projectId,
      options: { ...dryRun.options, dry_run: false },
      scope: { plan_job_id: jobId },
      triggeredBy: actor,
    });
  } catch (error) {
    await reopen(db, jobId);
    throw error;
  }
  if (!queued.created) {
    await reopen(db, jobId);
    throw new ProjectBusyError(plan.projectId, queued.job.id);
  }
  const [updated] = await db.orm
    .update(consolidationPlans)
    .set({ appliedJobId: queued.job.id })
    .where(eq(consolidationPlans.jobId, jobId))
    .returning();
  return { plan: updated as ConsolidationPlan, job: queued.job };
}

/** Discards a ready plan; it can no longer be applied. */
export async function discardPlan(db: Database, jobId: string, o: DecisionOptions = {}): Promise<ConsolidationPlan> {
  await loadPlan(db, jobId);
  return setStatus(db, jobId, "discarded", o.actor ?? "admin", o.now ?? new Date());
}

async function loadPlan(db: Database, jobId: string): Promise<ConsolidationPlan> {
  if (!isUuid(jobId)) throw new PlanNotFoundError(jobId);
  const [plan] = await db.orm.select().from(consolidationPlans).where(eq(consolidationPlans.jobId, jobId));
  if (!plan) throw new PlanNotFoundError(jobId);
  return plan;
}

async function setStatus(
  db: Database,
  jobId: string,
  status: "applied" | "discarded",
  actor: string,
  now: Date,
): Promise<ConsolidationPlan> {
  const p = consolidationPlans;
  const [updated] = await db.orm
    .update(p)
    .set({ status, decidedBy: actor, decidedAt: now })
    .where(and(eq(p.jobId, jobId), eq(p.status, "ready")))
    .returning();
  if (!updated) throw new PlanDecidedError(jobId, (await loadPlan(db, jobId)).status);
  return updated;
}

async function reopen(db: Database, jobId: string): Promise<void> {
  await db.orm
    .update(consolidationPlans)
    .set({ status: "ready", decidedBy: null, decidedAt: null })
    .where(eq(consolidationPlans.jobId, jobId));
}
