import { CONSOLIDATION_JOB_KIND, type ConsolidationJob, type JobStatus, type TriggerType, toDate } from "@memcons/models";

/** A consolidation_jobs row as raw SQL returns it (snake_case; types vary by driver). */
export type RawJobRow = Record<string, unknown>;

/** Maps a raw `consolidation_jobs` row (either driver) to the Drizzle ConsolidationJob shape. */
export function rowToJob(row: RawJobRow): ConsolidationJob {
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    kind: String(row.kind ?? CONSOLIDATION_JOB_KIND),
    status: row.status as JobStatus,
    triggerType: row.trigger_type as TriggerType,
    options: json(row.options),
    scope: json(row.scope),
    memoriesMerged: num(row.memories_merged),
    memoriesArchived: num(row.memories_archived),
    memoriesPromoted: num(row.memories_promoted),
    summariesCreated: num(row.summaries_created),
    phasesCompleted: textArray(row.phases_completed),
    metrics: json(row.metrics),
    progress: num(row.progress),
    retryCount: num(row.retry_count),
    maxRetries: num(row.max_retries),
    runAt: toDate(row.run_at) ?? new Date(0),
    lockedBy: (row.locked_by as string | null) ?? null,
    lockedUntil: toDate(row.locked_until),
    cancelRequestedAt: toDate(row.cancel_requested_at),
    startedAt: toDate(row.started_at),
    completedAt: toDate(row.completed_at),
    durationSeconds: row.duration_seconds == null ? null : num(row.duration_seconds),
    errorMessage: (row.error_message as string | null) ?? null,
    triggeredBy: String(row.triggered_by ?? "system"),
    rolledBackAt: toDate(row.rolled_back_at),
    createdAt: toDate(row.created_at) ?? new Date(0),
    seq: num(row.seq),
  };
}

function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value ?? 0);
}

function json(value: unknown): Record<string, unknown> {
  if (typeof value === "string") return JSON.parse(value) as Record<string, unknown>;
  return (value ?? {}) as Record<string, unknown>;
}

function textArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string" && value.startsWith("{") && value.length > 2) {
    return value.slice(1, -1).split(",").map((item) => item.replace(/^"|"$/g, ""));
  }
  return [];
}
