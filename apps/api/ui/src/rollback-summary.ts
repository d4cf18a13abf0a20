import type { GroupedChanges } from "./clusters.js";

/** What a rollback of this job restores and deletes, in words. */
export function rollbackSummary(grouped: GroupedChanges): string {
  const merges = grouped.clusters.filter((c) => c.kind === "merge");
  const syntheses = grouped.clusters.filter((c) => c.kind === "summarize");
  const sources = merges.reduce((n, c) => n + c.members.length, 0);
  const entries = grouped.promoted.length + grouped.clusters.reduce((n, c) => n + c.promoted.length, 0);
  return (
    `This restores ${sources} merged memories and ${grouped.archived.length} archived memories to how they were before the job, ` +
    `deletes the ${merges.length} consolidated and ${syntheses.length} synthesis memories it created, ` +
    `and removes ${entries} playbook entries it promoted.`
  );
}
