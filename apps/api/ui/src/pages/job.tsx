import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { groupChanges } from "../clusters.js";
import { Notice, Progress, StatusBadge } from "../components.js";
import { followJobEvents } from "../events.js";
import { seconds, shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { Change, HistoryJob, JobStatus } from "../types.js";
import { ChangesView } from "./job-changes.js";
import { Rollback } from "./job-rollback.js";

const ACTIVE = new Set(["pending", "running"]);
/** Most pages of changes the page reads at once (500 rows each). */
const MAX_PAGES = 20;

async function loadJob(jobId: string) {
  const status = await api<JobStatus>("GET", `/api/v1/consolidation/status/${jobId}`);
  let entry: HistoryJob | undefined;
  if (status.created_at) {
    // The history entry (options, metrics, before/after counts): the project's jobs created in this job's millisecond.
    const from = new Date(status.created_at);
    const to = new Date(from.getTime() + 1);
    const page = await api<{ jobs: HistoryJob[] }>(
      "GET",
      `/api/v1/consolidation/history/${status.project_id}?from=${from.toISOString()}&to=${to.toISOString()}&limit=100`,
    );
    entry = page.jobs.find((j) => j.id === jobId);
  }
  const changes: Change[] = [];
  let cursor: string | null = null;
  let truncated = false;
  for (let page = 0; ; page++) {
    if (page === MAX_PAGES) {
      truncated = true;
      break;
    }
    const path: string = `/api/v1/consolidation/jobs/${jobId}/changes?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const result: { changes: Change[]; next_cursor: string | null } = await api("GET", path);
    changes.push(...result.changes);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return { status, entry, grouped: groupChanges(changes), truncated };
}

/** One job: counters, phase timings, what it changed grouped by cluster, and rollback. */
export function JobPage({ jobId }: { jobId: string }) {
  const job = useLoad(() => loadJob(jobId), [jobId]);
  const [live, setLive] = useState<{ progress: number; phase?: string | undefined; status: string } | null>(null);
  // What a rollback from this page did (kept here: the rollback card goes away once the job reads as rolled back),
  // with the job it was for, since the page may be reused for another job.
  const [rollback, setRollback] = useState<{ jobId: string; outcome: string } | null>(null);
  const projectId = job.data?.status.project_id;
  const active = job.data ? ACTIVE.has(job.data.status.status) : false;
  useEffect(() => {
    if (!projectId || !active) return;
    const abort = new AbortController();
    void followJobEvents(
      projectId,
      (event) => {
        if (event.job_id !== jobId) return;
        setLive({ progress: event.progress, phase: event.phase, status: event.status });
        if (!ACTIVE.has(event.status)) void job.reload();
      },
      // Once connected, read the job again: it may have ended before the stream was live.
      (state) => {
        if (state === "live") void job.reload();
      },
      abort.signal,
    );
    return () => abort.abort();
  }, [projectId, active, jobId]);
  if (job.error) return <Notice>{job.error}</Notice>;
  if (!job.data) return <p class="muted">Loading…</p>;
  const { status, entry, grouped, truncated } = job.data;
  const progress = active && live ? live.progress : status.progress;
  return (
    <>
      <p class="crumbs">
        <a href={href("projects", status.project_id)}>Project</a> / job {shortId(status.job_id)}
      </p>
      <h1>
        Job {shortId(status.job_id)} <StatusBadge status={status.rolled_back_at ? "rolled back" : status.status} />
        {entry?.options.dry_run === true ? <span class="tag">dry run</span> : null}
      </h1>
      <Progress value={progress} phase={active ? live?.phase : undefined} label="Job progress" />
      {entry?.options.dry_run === true && status.status === "completed" ? (
        <p>
          <a href={href("plans", jobId)}>View the plan this dry run stored</a>
        </p>
      ) : null}
      {status.error_message ? <Notice>{status.error_message}</Notice> : null}
      <dl class="counts" aria-label="Job counters">
        <div>
          <dt>merged</dt>
          <dd data-counter="merged">{status.memories_merged}</dd>
        </div>
        <div>
          <dt>summaries</dt>
          <dd data-counter="summaries">{status.summaries_created}</dd>
        </div>
        <div>
          <dt>archived</dt>
          <dd data-counter="archived">{status.memories_archived}</dd>
        </div>
        <div>
          <dt>promoted</dt>
          <dd data-counter="promoted">{status.memories_promoted}</dd>
        </div>
        <div>
          <dt>duration</dt>
          <dd>{seconds(status.duration_seconds)}</dd>
        </div>
      </dl>
      <p class="muted">
        {status.trigger_type} by {status.triggered_by}; created {when(status.created_at)}, started {when(status.started_at)}, finished{" "}
        {when(status.completed_at)}
        {entry && entry.memories_before !== null ? `; memories examined ${entry.memories_before} → ${entry.memories_after}` : ""}
      </p>
      <PhaseTimings entry={entry} />
      {status.status === "completed" && !status.rolled_back_at && entry?.options.dry_run !== true ? (
        <Rollback
          jobId={jobId}
          grouped={grouped}
          onDone={(outcome) => {
            setRollback({ jobId, outcome });
            void job.reload();
          }}
        />
      ) : null}
      {rollback?.jobId === jobId ? <Notice kind="success">{rollback.outcome}</Notice> : null}
      {status.rolled_back_at ? <Notice kind="info">Rolled back {when(status.rolled_back_at)}.</Notice> : null}
      {truncated ? <Notice kind="info">This job has more changes than the page shows.</Notice> : null}
      <ChangesView grouped={grouped} />
    </>
  );
}

const PHASE_ORDER = ["detect", "merge", "summarize", "archive", "promote"];

function phaseRank(phase: string): number {
  const rank = PHASE_ORDER.indexOf(phase);
  return rank === -1 ? PHASE_ORDER.length : rank;
}

function PhaseTimings({ entry }: { entry: HistoryJob | undefined }) {
  const phaseMs = (entry?.metrics.phase_ms ?? {}) as Record<string, number>;
  const phases = Object.entries(phaseMs).sort(([a], [b]) => phaseRank(a) - phaseRank(b));
  if (phases.length === 0) return null;
  const total = phases.reduce((sum, [, ms]) => sum + ms, 0) || 1;
  return (
    <section aria-labelledby="phases-title">
      <h2 id="phases-title">Phase timings</h2>
      <table class="phases">
        <thead>
          <tr>
            <th scope="col">Phase</th>
            <th scope="col">Time</th>
            <th scope="col">Share</th>
          </tr>
        </thead>
        <tbody>
          {phases.map(([phase, ms]) => (
            <tr key={phase}>
              <th scope="row">{phase}</th>
              <td>{ms} ms</td>
              <td>
                <span class="bar" style={{ width: `${Math.max(1, Math.round((ms / total) * 100))}%` }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
