import type {
  ConsolidationChange,
  ConsolidationJob,
  PlaybookEntry,
  Project,
  ScheduleRun,
  TaskMemory,
} from "./schema.js";

/** A JSON-safe value as produced by the serializers. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type Dict = { [key: string]: JsonValue };

const iso = (value: Date | string | null | undefined): string | null =>
  value == null ? null : new Date(value).toISOString();
const list = <T>(value: readonly T[] | null | undefined): T[] => (value ? [...value] : []);
const object = (value: Record<string, unknown> | null | undefined): Dict =>
  (value ?? {}) as Dict;

/** Serializes a project to its snake_case JSON form. */
export function projectToDict(project: Project) {
  return {
    id: project.id,
    name: project.name,
    consolidation_enabled: project.consolidationEnabled,
    consolidation_threshold: project.consolidationThreshold,
    consolidation_options: object(project.consolidationOptions),
    is_active: project.isActive,
    created_at: iso(project.createdAt),
    updated_at: iso(project.updatedAt),
  };
}

/** Serializes a task memory; the embedding is included only on request. */
export function memoryToDict(memory: TaskMemory, options: { includeEmbedding?: boolean } = {}) {
  return {
    id: memory.id,
    project_id: memory.projectId,
    task_id: memory.taskId,
    memory_type: memory.memoryType,
    execution_summary: memory.executionSummary,
    goal: memory.goal,
    result: memory.result,
    feedback: memory.feedback,
    tags: list(memory.tags),
    file_paths: list(memory.filePaths),
    ...(options.includeEmbedding
      ? { context_embedding: list(memory.contextEmbedding), embedding_model: memory.embeddingModel ?? null }
      : {}),
    success: memory.success,
    reused_count: memory.reusedCount,
    last_reused_at: iso(memory.lastReusedAt),
    learned_at: iso(memory.learnedAt),
    is_duplicate: memory.isDuplicate,
    duplicate_of: memory.duplicateOf,
    is_consolidated: memory.isConsolidated,
    consolidated_from: list(memory.consolidatedFrom),
    consolidated_at: iso(memory.consolidatedAt),
    synthesized_from: list(memory.synthesizedFrom),
    synthesized_at: iso(memory.synthesizedAt),
    synthesis_confidence: memory.synthesisConfidence,
    needs_review: memory.needsReview,
    is_archived: memory.isArchived,
    archived_at: iso(memory.archivedAt),
    archive_reason: memory.archiveReason,
    version: memory.version,
    created_at: iso(memory.createdAt),
    updated_at: iso(memory.updatedAt),
  };
}

/** Serializes a consolidation job to its snake_case JSON form. */
export function jobToDict(job: ConsolidationJob) {
  return {
    id: job.id,
    project_id: job.projectId,
    status: job.status,
    trigger_type: job.triggerType,
    options: object(job.options),
    scope: object(job.scope),
    memories_merged: job.memoriesMerged,
    memories_archived: job.memoriesArchived,
    memories_promoted: job.memoriesPromoted,
    summaries_created: job.summariesCreated,
    phases_completed: list(job.phasesCompleted),
    metrics: object(job.metrics),
    progress: job.progress,
    retry_count: job.retryCount,
    max_retries: job.maxRetries,
    run_at: iso(job.runAt),
    locked_by: job.lockedBy,
    locked_until: iso(job.lockedUntil),
    cancel_requested_at: iso(job.cancelRequestedAt),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    duration_seconds: job.durationSeconds,
    error_message: job.errorMessage,
    triggered_by: job.triggeredBy,
    rolled_back_at: iso(job.rolledBackAt),
    created_at: iso(job.createdAt),
  };
}

/** Serializes an audit row to its snake_case JSON form. */
export function changeToDict(change: ConsolidationChange) {
  return {
    id: change.id,
    consolidation_job_id: change.consolidationJobId,
    operation: change.operation,
    memory_id: change.memoryId,
    // null, not {}: a change without a previous state is the creation of what it describes.
    previous_state: change.previousState ?? null,
    new_state: change.newState ?? null,
    reason: change.reason,
    confidence: change.confidence,
    changed_at: iso(change.changedAt),
    changed_by: change.changedBy,
  };
}

/** Serializes a playbook entry to its snake_case JSON form. */
export function playbookEntryToDict(entry: PlaybookEntry) {
  return {
    id: entry.id,
    project_id: entry.projectId,
    content: entry.content,
    category: entry.category,
    tags: list(entry.tags),
    priority: entry.priority,
    supporting_memory_ids: list(entry.supportingMemoryIds),
    source_job_id: entry.sourceJobId,
    created_by: entry.createdBy,
    created_at: iso(entry.createdAt),
  };
}

/** Serializes a fired cron slot to its snake_case JSON form. */
export function scheduleRunToDict(run: ScheduleRun) {
  return {
    schedule_name: run.scheduleName,
    slot_time: iso(run.slotTime),
    fired_at: iso(run.firedAt),
    fired_by: run.firedBy,
    summary: object(run.summary),
  };
}
