import { queryRows } from "@memcons/models";
import type { TaskMemory } from "@memcons/models";
import { sql } from "drizzle-orm";
import { type PhaseContext, checkAborted } from "../phase-context.js";
import { jsonb, timestamp } from "../sql-params.js";
import type { Cluster } from "../detect/clusters.js";
import { AIProviderError } from "../errors.js";
import type { Candidates } from "../phases/detect.js";
import { loadMemories } from "../store.js";
import { type ProposalCandidate, pairSimilarities } from "./borderline.js";
import type { Judge } from "./judge.js";

/** The key that makes a set of members unique per project: sorted ids joined by commas. */
export function memberKey(ids: readonly string[]): string {
  return [...ids].sort().join(",");
}

/**
 * Stores proposals for the job; a set of members that is pending or was rejected (or that this job already
 * proposed, on a resumed run) is not proposed again. Returns how many were created.
 */
export async function recordProposals(
  ctx: PhaseContext,
  candidates: Candidates,
  found: readonly ProposalCandidate[],
): Promise<number> {
  if (found.length === 0) return 0;
  const records = found.map((p) => {
    const ids = p.members.map((i) => candidates.ids[i] as string);
    const similarities = pairSimilarities(candidates, p.members);
    return {
      member_ids: ids,
      member_versions: p.members.map((i) => candidates.versions[i] as number),
      member_key: memberKey(ids),
      similarities,
      min_similarity: Math.min(...similarities.map((s) => s.similarity)),
      reason: p.reason,
    };
  });
  const [row] = await queryRows<{ n: number }>(ctx.db.orm,
    sql`WITH ins AS (
          INSERT INTO memcons.consolidation_proposals (project_id, job_id, member_ids, member_versions, member_key,
            similarities, min_similarity, reason, created_at)
          SELECT ${ctx.projectId}::uuid, ${ctx.jobId}::uuid, r.member_ids, r.member_versions, r.member_key,
            r.similarities, r.min_similarity, r.reason, ${timestamp(ctx.now())}
          FROM jsonb_to_recordset(${jsonb(JSON.stringify(records))}) AS r(member_ids uuid[], member_versions int[],
            member_key text, similarities jsonb, min_similarity real, reason text)
          WHERE NOT EXISTS (
            SELECT 1 FROM memcons.consolidation_proposals p
            WHERE p.project_id = ${ctx.projectId}::uuid AND p.member_key = r.member_key
              AND (p.status IN ('pending', 'rejected') OR p.job_id = ${ctx.jobId}::uuid))
          ON CONFLICT (project_id, member_key) WHERE status IN ('pending', 'rejected') DO NOTHING
          RETURNING 1
        )
        SELECT count(*)::int AS n FROM ins`,
  );
  return Number(row?.n ?? 0);
}

/** What the judge did during a job. */
export interface JudgeStats {
  judged: number;
  approved: number;
  rejected: number;
  /** Proposals left pending because the judge failed to answer. */
  failed: number;
}

interface PendingProposal extends Record<string, unknown> {
  id: string;
  member_ids: string;
  similarities: string;
  reason: string;
}

/**
 * Asks the judge about this job's undecided proposals whose members no merge cluster of the job holds,
 * records each verdict and rationale, and approves (for this job to merge) or rejects the proposal.
 * A judge that fails leaves the proposal pending for a person.
 */
export async function judgeProposals(
  ctx: PhaseContext,
  judge: Judge,
  candidates: Candidates,
  merged: readonly Cluster[],
): Promise<JudgeStats> {
  const stats: JudgeStats = { judged: 0, approved: 0, rejected: 0, failed: 0 };
  const taken = new Set(merged.flatMap((c) => c.members.map((i) => candidates.ids[i] as string)));
  const pending = await queryRows<PendingProposal>(ctx.db.orm,
    sql`SELECT id, array_to_string(member_ids, ',') AS member_ids, similarities::text AS similarities, reason
        FROM memcons.consolidation_proposals
        WHERE job_id = ${ctx.jobId}::uuid AND status = 'pending' AND judge_verdict IS NULL
        ORDER BY created_at, id`,
  );
  for (const proposal of pending) {
    checkAborted(ctx);
    const ids = proposal.member_ids.split(",");
    if (ids.some((id) => taken.has(id))) continue;
    const loaded = await loadMemories(ctx.db.orm, ids, false);
    const memories: TaskMemory[] = ids
      .map((id) => loaded.get(id))
      .filter((m) => m !== undefined)
      .map((m) => ({ ...m, contextEmbedding: null, embeddingModel: null }));
    let decision: Awaited<ReturnType<Judge["judge"]>>;
    try {
      decision = await judge.judge(
        { memories, similarities: JSON.parse(proposal.similarities), reason: proposal.reason },
        ctx.signal,
      );
    } catch (error) {
      checkAborted(ctx);
      if (!(error instanceof AIProviderError)) throw error;
      stats.failed++;
      ctx.logger.warn({ job_id: ctx.jobId, proposal_id: proposal.id, err: error }, "the judge failed; the proposal stays pending");
      continue;
    }
    const approve = decision.verdict === "approve";
    await queryRows(ctx.db.orm,
      sql`UPDATE memcons.consolidation_proposals SET judge_verdict = ${decision.verdict}, judge_rationale = ${decision.rationale},
            judge_model = ${judge.model}, status = ${approve ? "approved" : "rejected"},
            decided_by = ${`judge:${judge.model}`}, decided_at = ${timestamp(ctx.now())},
            applied_job_id = ${approve ? sql`${ctx.jobId}::uuid` : sql`NULL`}
          WHERE id = ${proposal.id}::uuid AND status = 'pending'`,
    );
    stats.judged++;
    if (approve) stats.approved++;
    else stats.rejected++;
  }
  return stats;
}

/** Clusters (candidate indices) of the proposals approved for this job to merge; members it no longer holds are left out. */
export async function approvedClusters(ctx: PhaseContext, candidates: Candidates): Promise<Cluster[]> {
  const approved = await queryRows<{ member_ids: string; min_similarity: number }>(ctx.db.orm,
    sql`SELECT array_to_string(member_ids, ',') AS member_ids, min_similarity FROM memcons.consolidation_proposals
        WHERE applied_job_id = ${ctx.jobId}::uuid AND status = 'approved' ORDER BY created_at, id`,
  );
  const index = new Map(candidates.ids.map((id, i) => [id, i]));
  const clusters: Cluster[] = [];
  for (const p of approved) {
    const members = p.member_ids
      .split(",")
      .map((id) => index.get(id))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b);
    if (members.length >= 2) {
      const min = Number(p.min_similarity);
      clusters.push({ members, minSimilarity: min, meanSimilarity: min });
    }
  }
  return clusters;
}
