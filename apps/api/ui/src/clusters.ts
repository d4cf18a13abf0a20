import type { Change } from "./types.js";

/** A memory as an audit row recorded it (the full row, without its embedding). */
export type MemorySnapshot = Record<string, unknown> & { id?: string; execution_summary?: string; memory_type?: string };

/** One merged or summarized cluster: the memories before, the memory the job made from them after. */
export interface ClusterChange {
  kind: "merge" | "summarize";
  /** The memory the job created (consolidated or synthesis), as created. */
  created: MemorySnapshot;
  reason: string | null;
  confidence: number | null;
  /** The sources as they were before the job, with their similarity to the cluster. */
  members: Array<{ before: MemorySnapshot; similarity: number | null; reason: string | null }>;
  /** Playbook entries promoted from the created memory. */
  promoted: Array<Record<string, unknown>>;
}

/** Everything one job changed, grouped for reading. */
export interface GroupedChanges {
  clusters: ClusterChange[];
  archived: Array<{ before: MemorySnapshot; reason: string | null }>;
  /** Promotions of memories the job did not create. */
  promoted: Array<{ memoryId: string | null; entry: Record<string, unknown>; confidence: number | null }>;
  rollbacks: Change[];
}

function snapshot(state: Record<string, unknown> | null): MemorySnapshot {
  return (state ?? {}) as MemorySnapshot;
}

function idList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * Groups a job's audit rows by cluster: each created memory (previous_state null) with the sources it was
 * merged or synthesized from, then the archived memories and the promotions.
 */
export function groupChanges(changes: readonly Change[]): GroupedChanges {
  const clusters: ClusterChange[] = [];
  const byCreated = new Map<string, ClusterChange>();
  const sourceRows = new Map<string, Change>();
  const archived: GroupedChanges["archived"] = [];
  const promotions: Change[] = [];
  const rollbacks: Change[] = [];
  const ordered = [...changes].sort((a, b) => String(a.changed_at).localeCompare(String(b.changed_at)) || a.id.localeCompare(b.id));
  for (const change of ordered) {
    if (change.operation === "rollback") rollbacks.push(change);
    else if (change.operation === "promote") promotions.push(change);
    else if (change.operation === "archive") archived.push({ before: snapshot(change.previous_state), reason: change.reason });
    else if ((change.operation === "merge" || change.operation === "summarize") && change.previous_state === null) {
      const created = snapshot(change.new_state);
      const cluster: ClusterChange = {
        kind: change.operation,
        created,
        reason: change.reason,
        confidence: change.confidence,
        members: [],
        promoted: [],
      };
      clusters.push(cluster);
      if (change.memory_id) byCreated.set(change.memory_id, cluster);
    } else if (change.memory_id) {
      sourceRows.set(change.memory_id, change);
    }
  }
  for (const cluster of clusters) {
    const sources =
      cluster.kind === "merge" ? idList(cluster.created.consolidated_from) : idList(cluster.created.synthesized_from);
    for (const id of sources) {
      const row = cluster.kind === "merge" ? sourceRows.get(id) : undefined;
      const before = row ? snapshot(row.previous_state) : findBefore(id, sourceRows, byCreated);
      cluster.members.push({ before, similarity: row?.confidence ?? null, reason: row?.reason ?? null });
    }
  }
  const promoted: GroupedChanges["promoted"] = [];
  for (const change of promotions) {
    const entry = snapshot(change.new_state).playbook_entry as Record<string, unknown> | undefined;
    const owner = change.memory_id ? byCreated.get(change.memory_id) : undefined;
    if (owner && entry) owner.promoted.push(entry);
    else promoted.push({ memoryId: change.memory_id, entry: entry ?? {}, confidence: change.confidence });
  }
  return { clusters, archived, promoted, rollbacks };
}

/** A synthesis source: its state before the job if the job changed it, the created memory if the job made it, else just its id. */
function findBefore(id: string, sources: Map<string, Change>, created: Map<string, ClusterChange>): MemorySnapshot {
  const row = sources.get(id);
  if (row) return snapshot(row.previous_state);
  const made = created.get(id);
  if (made) return made.created;
  return { id };
}
