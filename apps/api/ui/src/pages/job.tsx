import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { type ClusterChange, type GroupedChanges, groupChanges, type MemorySnapshot } from "../clusters.js";
import { Notice, Progress, StatusBadge } from "../components.js";
import { followJobEvents } from "../events.js";
import { seconds, shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { rollbackSummary } from "../rollback-summary.js";
import { href } from "../router.js";
import type { Change, HistoryJob, JobStatus } from "../types.js";

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
        <Rollback jobId={jobId} grouped={grouped} onDone={() => void job.reload()} />
      ) : null}
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

function Rollback({ jobId, grouped, onDone }: { jobId: string; grouped: GroupedChanges; onDone: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setError(null);
    try {
      const r = await api<{ memories_restored: number; memories_deleted: number; playbook_entries_deleted?: number; warnings: string[] }>(
        "POST",
        "/api/v1/consolidation/rollback",
        { consolidation_id: jobId, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      );
      setResult(
        `Rolled back: ${r.memories_restored} memories restored, ${r.memories_deleted} deleted, ${r.playbook_entries_deleted ?? 0} playbook entries removed.` +
          (r.warnings.length > 0 ? ` Warnings: ${r.warnings.join("; ")}` : ""),
      );
      setConfirming(false);
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section class="card" aria-labelledby="rollback-title">
      <h2 id="rollback-title">Roll back</h2>
      {result ? <Notice kind="success">{result}</Notice> : null}
      {confirming ? (
        <div role="alertdialog" aria-labelledby="rollback-confirm" class="confirm">
          <p id="rollback-confirm">{rollbackSummary(grouped)}</p>
          <label>
            Reason (recorded in the audit log)
            <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </label>
          <div class="buttons">
            <button type="button" class="danger" onClick={() => void run()}>
              Confirm rollback
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep the job
            </button>
          </div>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Roll back this job…
        </button>
      )}
      {error ? <Notice>{error}</Notice> : null}
    </section>
  );
}

function text(memory: MemorySnapshot): string {
  return typeof memory.execution_summary === "string" ? memory.execution_summary : `memory ${shortId(memory.id)}`;
}

function ClusterView({ cluster, index }: { cluster: ClusterChange; index: number }) {
  return (
    <article class="cluster" aria-labelledby={`cluster-${index}`} data-kind={cluster.kind}>
      <h3 id={`cluster-${index}`}>
        {cluster.kind === "merge" ? "Merged" : "Summarized"} {cluster.members.length} memories
        {cluster.confidence === null ? "" : ` · confidence ${cluster.confidence.toFixed(3)}`}
      </h3>
      {cluster.reason ? <p class="muted">{cluster.reason}</p> : null}
      <div class="side-by-side">
        <div class="before">
          <h4>Before</h4>
          <ol>
            {cluster.members.map((m, i) => (
              <li key={String(m.before.id ?? i)}>
                <span class="tag">{String(m.before.memory_type ?? "")}</span>
                {m.similarity === null ? null : <span class="muted"> similarity {m.similarity.toFixed(3)}</span>}
                <p class="memory-text">{text(m.before)}</p>
              </li>
            ))}
          </ol>
        </div>
        <div class="after">
          <h4>After ({String(cluster.created.memory_type ?? cluster.kind)})</h4>
          <p class="memory-text">{text(cluster.created)}</p>
          {Array.isArray(cluster.created.tags) && cluster.created.tags.length > 0 ? (
            <p class="muted">tags: {(cluster.created.tags as string[]).join(", ")}</p>
          ) : null}
          {cluster.promoted.map((entry) => (
            <p key={String(entry.id)} class="promoted">
              Promoted to the playbook ({String(entry.category)}): {String(entry.content).slice(0, 300)}
            </p>
          ))}
        </div>
      </div>
    </article>
  );
}

function ChangesView({ grouped }: { grouped: GroupedChanges }) {
  const merges = grouped.clusters.filter((c) => c.kind === "merge");
  const syntheses = grouped.clusters.filter((c) => c.kind === "summarize");
  return (
    <>
      <section aria-labelledby="merged-title">
        <h2 id="merged-title">Merged clusters ({merges.length})</h2>
        {merges.length === 0 ? <p>No merges.</p> : merges.map((c, i) => <ClusterView key={String(c.created.id)} cluster={c} index={i} />)}
      </section>
      <section aria-labelledby="summaries-title">
        <h2 id="summaries-title">Summaries ({syntheses.length})</h2>
        {syntheses.length === 0 ? (
          <p>No summaries.</p>
        ) : (
          syntheses.map((c, i) => <ClusterView key={String(c.created.id)} cluster={c} index={merges.length + i} />)
        )}
      </section>
      <section aria-labelledby="archived-title">
        <h2 id="archived-title">Archived ({grouped.archived.length})</h2>
        <ul class="archived">
          {grouped.archived.map((a, i) => (
            <li key={String(a.before.id ?? i)}>
              <p class="memory-text">{text(a.before)}</p>
              <p class="muted">{a.reason}</p>
            </li>
          ))}
        </ul>
      </section>
      {grouped.promoted.length > 0 ? (
        <section aria-labelledby="promoted-title">
          <h2 id="promoted-title">Promoted ({grouped.promoted.length})</h2>
          <ul>
            {grouped.promoted.map((p, i) => (
              <li key={String(p.entry.id ?? i)}>{String(p.entry.content ?? "")}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {grouped.rollbacks.length > 0 ? (
        <section aria-labelledby="rollback-rows-title">
          <h2 id="rollback-rows-title">Rollback ({grouped.rollbacks.length} changes)</h2>
          <p class="muted">{grouped.rollbacks[0]?.reason}</p>
        </section>
      ) : null}
    </>
  );
}
