import type { Database, JobScope } from "@memcons/models";
import { sql } from "drizzle-orm";
import type { Cluster } from "../detect/clusters.js";
import { rowDot } from "../embedding/rows.js";
import { PlanNotFoundError, ProposalNotFoundError } from "../errors.js";
import type { Candidates, DetectResult } from "../phases/detect.js";

/** What a job scoped to an approved proposal or a plan must do, instead of detecting clusters itself. */
export interface ScopedWork {
  /** Every memory the job may merge. */
  memoryIds: string[];
  /** The version each memory had when proposed or planned; a memory changed since is skipped. */
  versions: Map<string, number>;
  /** Clusters to merge, as member ids. */
  clusters: string[][];
  /** Memories to archive with their planned versions (plans only). */
  archive: { ids: string[]; versions: number[] } | null;
}

/** The work of a job whose scope names a proposal or a plan; null for an ordinary job. */
export async function loadScopedWork(db: Database, scope: JobScope): Promise<ScopedWork | null> {
  if (scope.proposal_id) {
    const [p] = await db.rows<{ ids: string; versions: string }>(
      sql`SELECT array_to_string(member_ids, ',') AS ids, array_to_string(member_versions, ',') AS versions
          FROM memcons.consolidation_proposals WHERE id = ${scope.proposal_id}::uuid`,
    );
    if (!p) throw new ProposalNotFoundError(scope.proposal_id);
    const ids = p.ids.split(",");
    return { memoryIds: ids, versions: versionMap(ids, p.versions), clusters: [ids], archive: null };
  }
  if (scope.plan_job_id) {
    const items = await db.rows<{ kind: string; ids: string; versions: string }>(
      sql`SELECT kind, array_to_string(memory_ids, ',') AS ids, array_to_string(memory_versions, ',') AS versions
          FROM memcons.consolidation_plan_items WHERE job_id = ${scope.plan_job_id}::uuid AND kind IN ('merge', 'archive')
          ORDER BY position`,
    );
    if (items.length === 0) {
      const [plan] = await db.rows(sql`SELECT 1 FROM memcons.consolidation_plans WHERE job_id = ${scope.plan_job_id}::uuid`);
      if (!plan) throw new PlanNotFoundError(scope.plan_job_id);
    }
    const work: ScopedWork = { memoryIds: [], versions: new Map(), clusters: [], archive: { ids: [], versions: [] } };
    for (const item of items) {
      const ids = item.ids.split(",");
      const versions = item.versions.split(",").map(Number);
      if (item.kind === "merge") {
        work.clusters.push(ids);
        work.memoryIds.push(...ids);
        ids.forEach((id, k) => {
          work.versions.set(id, versions[k] as number);
        });
      } else {
        work.archive?.ids.push(...ids);
        work.archive?.versions.push(...versions);
      }
    }
    return work;
  }
  return null;
}

/**
 * The detect result of a scoped job: its candidates (loaded with the planned versions, so the merge skips
 * anything changed since) and the given clusters, less members that are no longer candidates.
 */
export function scopedDetection(candidates: Candidates, work: ScopedWork): DetectResult {
  const index = new Map(candidates.ids.map((id, i) => [id, i]));
  candidates.ids.forEach((id, i) => {
    candidates.versions[i] = work.versions.get(id) ?? candidates.versions[i] as number;
  });
  const clusters: Cluster[] = [];
  for (const ids of work.clusters) {
    const members = ids
      .map((id) => index.get(id))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b);
    if (members.length < 2) continue;
    let min = 1;
    let sum = 0;
    let count = 0;
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const s = rowDot(candidates.vectors, members[x] as number, members[y] as number);
        min = Math.min(min, s);
        sum += s;
        count++;
      }
    }
    clusters.push({ members, minSimilarity: min, meanSimilarity: count > 0 ? sum / count : 1 });
  }
  return {
    candidates,
    clusters,
    lsh: { bucketPairs: 0, hammingPassed: 0, verifiedPairs: 0, threads: 1 },
    similarPairs: 0,
    stoppedPairs: [],
    method: "given",
    lshMs: 0,
    clusterMs: 0,
    guardMs: 0,
    guardThreads: 1,
  };
}

function versionMap(ids: readonly string[], versions: string): Map<string, number> {
  const list = versions.split(",").map(Number);
  return new Map(ids.map((id, k) => [id, list[k] as number]));
}
