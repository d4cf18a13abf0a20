/** Shapes of the API answers the console reads (see /openapi.json). */

export interface MemoryCounts {
  active: number;
  archived: number;
  duplicate: number;
  total: number;
}

export interface Project {
  id: string;
  name: string;
  consolidation_enabled: boolean;
  consolidation_threshold: number | null;
  consolidation_options: Record<string, unknown>;
  is_active: boolean;
  created_at: string | null;
  updated_at: string | null;
}

export interface ProjectDetail extends Project {
  memory_counts: MemoryCounts;
}

export type JobStatusName = "pending" | "running" | "completed" | "failed" | "cancelled";

export interface JobStatus {
  job_id: string;
  project_id: string;
  status: JobStatusName;
  trigger_type: string;
  triggered_by: string;
  progress: number;
  created_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  duration_seconds: number | null;
  retry_count: number;
  memories_merged: number;
  memories_archived: number;
  memories_promoted: number;
  summaries_created: number;
  phases_completed: string[];
  consolidation_changes: string[];
  created_memory_ids: string[];
  error_message: string | null;
  cancel_requested_at: string | null;
  rolled_back_at: string | null;
}

export interface Change {
  id: string;
  consolidation_job_id: string | null;
  operation: string;
  memory_id: string | null;
  previous_state: Record<string, unknown> | null;
  new_state: Record<string, unknown> | null;
  reason: string | null;
  confidence: number | null;
  changed_at: string | null;
  changed_by: string;
}

export interface HistoryJob {
  id: string;
  project_id: string;
  status: JobStatusName;
  trigger_type: string;
  options: Record<string, unknown>;
  memories_merged: number;
  memories_archived: number;
  memories_promoted: number;
  summaries_created: number;
  phases_completed: string[];
  metrics: Record<string, unknown>;
  progress: number;
  started_at: string | null;
  completed_at: string | null;
  duration_seconds: number | null;
  error_message: string | null;
  triggered_by: string;
  rolled_back_at: string | null;
  created_at: string | null;
  memories_before: number | null;
  memories_after: number | null;
  changes_total: number;
}

export interface Memory {
  id: string;
  memory_type: string;
  execution_summary: string;
  goal: string | null;
  result: string | null;
  tags: string[];
  file_paths: string[];
  reused_count: number;
  learned_at: string | null;
  is_duplicate: boolean;
  duplicate_of: string | null;
  is_archived: boolean;
  archive_reason: string | null;
  needs_review: boolean;
  similarity?: number;
}

export interface PlaybookEntry {
  id: string;
  content: string;
  category: string;
  tags: string[];
  priority: number;
  source_job_id: string | null;
  created_at: string | null;
}

export interface Schedule {
  schedule: string | null;
  timezone: string | null;
  next_run_at: string | null;
  default_threshold: number;
}

export interface JobEvent {
  type: string;
  job_id: string;
  project_id: string;
  status: JobStatusName;
  progress: number;
  at: string;
  error_message?: string | null;
  phase?: string;
}

export interface PairSimilarity {
  a: string;
  b: string;
  similarity: number;
}

export interface Proposal {
  id: string;
  project_id: string;
  job_id: string | null;
  member_ids: string[];
  similarities: PairSimilarity[];
  min_similarity: number;
  reason: string;
  status: "pending" | "approved" | "rejected";
  decided_by: string | null;
  decided_at: string | null;
  judge_verdict: "approve" | "reject" | null;
  judge_rationale: string | null;
  judge_model: string | null;
  applied_job_id: string | null;
  created_at: string | null;
}

/** A proposal's members as they are now (GET /api/v1/consolidation/proposals/{id}/members). */
export interface ProposalMembers {
  proposal_id: string;
  members: Memory[];
  changed_ids: string[];
  missing_ids: string[];
}

export interface Plan {
  job_id: string;
  project_id: string;
  status: "ready" | "applied" | "discarded";
  summary: Record<string, unknown>;
  decided_by: string | null;
  decided_at: string | null;
  applied_job_id: string | null;
  created_at: string | null;
}

export interface PlanItem {
  position: number;
  kind: "merge" | "archive" | "promote" | "review";
  memory_ids: string[];
  similarities: PairSimilarity[] | null;
  detail: Record<string, unknown>;
}
