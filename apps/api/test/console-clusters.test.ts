import { describe, expect, it } from "vitest";
import { groupChanges } from "../ui/src/clusters.js";
import { rollbackSummary } from "../ui/src/rollback-summary.js";
import type { Change } from "../ui/src/types.js";

let n = 0;
function change(operation: string, memoryId: string, previous: Record<string, unknown> | null, next: Record<string, unknown> | null, extra: Partial<Change> = {}): Change {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    consolidation_job_id: "job",
    operation,
    memory_id: memoryId,
    previous_state: previous,
    new_state: next,
    reason: null,
    confidence: null,
    changed_at: `2026-01-01T00:00:${String(n).padStart(2, "0")}.000Z`,
    changed_by: "system",
    ...extra,
  };
}

describe("the console's grouping of a job's changes", () => {
  const changes: Change[] = [
    change("merge", "c1", null, { id: "c1", memory_type: "consolidated", execution_summary: "A. B.", consolidated_from: ["m1", "m2"] }),
    change("merge", "m1", { id: "m1", execution_summary: "A." }, { is_duplicate: true, duplicate_of: "c1" }, { confidence: 1 }),
    change("merge", "m2", { id: "m2", execution_summary: "B." }, { is_duplicate: true, duplicate_of: "c1" }, { confidence: 0.93 }),
    change("summarize", "s1", null, { id: "s1", memory_type: "synthesis", execution_summary: "Summary.", synthesized_from: ["c1", "m9"] }),
    change("archive", "m5", { id: "m5", execution_summary: "Old." }, { is_archived: true }, { reason: "stale" }),
    change("promote", "c1", null, { playbook_entry: { id: "p1", content: "A. B.", category: "error_fix" } }),
    change("promote", "x1", null, { playbook_entry: { id: "p2", content: "X.", category: "learning" } }),
  ];

  it("puts each created memory beside the sources it was made from, with their similarities", () => {
    const grouped = groupChanges([...changes].reverse());
    expect(grouped.clusters.map((c) => c.kind)).toEqual(["merge", "summarize"]);
    const [merge, summary] = grouped.clusters;
    expect(merge?.created.execution_summary).toBe("A. B.");
    expect(merge?.members.map((m) => [m.before.execution_summary, m.similarity])).toEqual([
      ["A.", 1],
      ["B.", 0.93],
    ]);
    expect(merge?.promoted.map((e) => e.id)).toEqual(["p1"]);
    // A synthesis source the job created shows as created; one it did not touch shows by id.
    expect(summary?.members.map((m) => m.before.execution_summary ?? m.before.id)).toEqual(["A. B.", "m9"]);
    expect(grouped.archived).toEqual([{ before: { id: "m5", execution_summary: "Old." }, reason: "stale" }]);
    expect(grouped.promoted.map((p) => p.entry.id)).toEqual(["p2"]);
  });

  it("says in words what a rollback restores and deletes", () => {
    expect(rollbackSummary(groupChanges(changes))).toBe(
      "This restores 2 merged memories and 1 archived memories to how they were before the job, " +
        "deletes the 1 consolidated and 1 synthesis memories it created, and removes 2 playbook entries it promoted.",
    );
  });
});
