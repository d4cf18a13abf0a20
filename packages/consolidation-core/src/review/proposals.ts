import {
  type ConsolidationJob,
  type ConsolidationProposal,
  consolidationProposals,
  type Database,
  type JobScope,
  ProjectNotFoundError,
  type ProposalStatus,
  isUuid,
  uuidArray,
} from "@memcons/models";
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { MemoriesChangedError, ProjectBusyError, ProposalDecidedError, ProposalNotFoundError } from "../errors.js";


/** A job to queue on behalf of an approval or an applied plan (e.g. the scheduler's triggerConsolidation). */
export interface ApplicationRequest {
  projectId: string;
  options: Record<string, unknown>;
  scope: Partial<JobScope>;
  triggeredBy: string;
}

/** Queues a job and says whether it created one (false: the project already had an active job, returned instead). */
export type EnqueueApplication = (request: ApplicationRequest) => Promise<{ job: ConsolidationJob; created: boolean }>;

/** Who decides, and how approved changes are queued. */
export interface DecisionOptions {
  /** Recorded as `decided_by` and as the job's `triggered_by` (default `admin`). */
  actor?: string;
  now?: Date;
}

/** Options of listProposals. */
export interface ListProposalsOptions {
  status?: ProposalStatus;
  /** Page size (default 20). */
  limit?: number;
  /** Continue after this proposal (the last of the previous page). */
  after?: { createdAt: Date; id: string };
}

/** A project's proposals, newest first, one page at a time. */
export async function listProposals(
  db: Database,
  projectId: string,
  o: ListProposalsOptions = {},
): Promise<ConsolidationProposal[]> {
  if (!isUuid(projectId)) throw new ProjectNotFoundError(projectId);
  const p = consolidationProposals;
  const after = o.after;
  return db.orm
    .select()
    .from(p)
    .where(
      and(
        eq(p.projectId, projectId),
        o.status ? eq(p.status, o.status) : undefined,
        after ? or(lt(p.createdAt, after.createdAt), and(eq(p.createdAt, after.createdAt), lt(p.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(p.createdAt), desc(p.id))
    .limit(o.limit ?? 20);
}

/** One proposal by id; throws ProposalNotFoundError. */
export async function getProposal(db: Database, proposalId: string): Promise<ConsolidationProposal> {
  if (!isUuid(proposalId)) throw new ProposalNotFoundError(proposalId);
  const [found] = await db.orm.select().from(consolidationProposals).where(eq(consolidationProposals.id, proposalId));
  if (!found) throw new ProposalNotFoundError(proposalId);
  return found;
}

/**
 * Approves a pending proposal and queues the job that merges exactly its members (an audited change that
 * `rollbackJob` undoes like any job's). Refuses with MemoriesChangedError when a member changed since it
 * was proposed, and with ProjectBusyError while the project has another active job.
 */
export async function approveProposal(
  db: Database,
  proposalId: string,
  enqueue: EnqueueApplication,
  o: DecisionOptions = {},
): Promise<{ proposal: ConsolidationProposal; job: ConsolidationJob }> {
  const proposal = await getProposal(db, proposalId);
  if (proposal.status !== "pending") throw new ProposalDecidedError(proposalId, proposal.status);
  const changed = await changedMembers(db, proposal.memberIds, proposal.memberVersions);
  if (changed.length > 0) throw new MemoriesChangedError(`proposal ${proposalId}`, changed);
  const actor = o.actor ?? "admin";
  await decide(db, proposalId, "approved", actor, o.now ?? new Date());
  let queued: Awaited<ReturnType<EnqueueApplication>>;
  try {
    queued = await enqueue({
      projectId: proposal.projectId,
      // Merge (and summarize a cluster of 3+) only; the members are merged whatever the thresholds say.
      options: { merge_enabled: true, summarize_enabled: true, archive_enabled: false, promote_enabled: false, min_cluster_size: 2, dry_run: false },
      scope: { proposal_id: proposalId },
      triggeredBy: actor,
    });
  } catch (error) {
    await reopen(db, proposalId);
    throw error;
  }
  if (!queued.created) {
    await reopen(db, proposalId);
    throw new ProjectBusyError(proposal.projectId, queued.job.id);
  }
  const [updated] = await db.orm
    .update(consolidationProposals)
    .set({ appliedJobId: queued.job.id })
    .where(eq(consolidationProposals.id, proposalId))
    .returning();
  return { proposal: updated as ConsolidationProposal, job: queued.job };
}

/** Rejects a pending proposal; the same members are never proposed again. */
export async function rejectProposal(
  db: Database,
  proposalId: string,
  o: DecisionOptions = {},
): Promise<ConsolidationProposal> {
  await getProposal(db, proposalId);
  return decide(db, proposalId, "rejected", o.actor ?? "admin", o.now ?? new Date());
}

async function decide(
  db: Database,
  proposalId: string,
  status: "approved" | "rejected",
  actor: string,
  now: Date,
): Promise<ConsolidationProposal> {
  const p = consolidationProposals;
  const [updated] = await db.orm
    .update(p)
    .set({ status, decidedBy: actor, decidedAt: now })
    .where(and(eq(p.id, proposalId), eq(p.status, "pending")))
    .returning();
  if (!updated) throw new ProposalDecidedError(proposalId, (await getProposal(db, proposalId)).status);
  return updated;
}

async function reopen(db: Database, proposalId: string): Promise<void> {
  await db.orm
    .update(consolidationProposals)
    .set({ status: "pending", decidedBy: null, decidedAt: null })
    .where(eq(consolidationProposals.id, proposalId));
}

/** Ids of the memories that are gone, merged, archived or at another version than expected. */
export async function changedMembers(db: Database, ids: readonly string[], versions: readonly number[]): Promise<string[]> {
  const found = await db.rows<{ id: string }>(
    sql`SELECT u.id FROM unnest(${uuidArray(ids)}, ${`{${versions.join(",")}}`}::int[]) AS u(id, v)
        LEFT JOIN memcons.task_memories t ON t.id = u.id
        WHERE t.id IS NULL OR t.version <> u.v OR t.is_duplicate OR t.is_archived
        ORDER BY u.id`,
  );
  return found.map((r) => r.id);
}
