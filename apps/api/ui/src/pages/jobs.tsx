import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.js";
import { Notice, Progress, StatusBadge } from "../components.js";
import { followJobEvents, type StreamState } from "../events.js";
import { seconds, shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { HistoryJob, JobEvent, JobStatus, Project } from "../types.js";

/** A job as the list shows it: its history entry, updated live by events. */
interface LiveJob extends HistoryJob {
  phase?: string | undefined;
}

const ACTIVE = new Set(["pending", "running"]);

async function loadJobs(projectIds: string[]): Promise<LiveJob[]> {
  const pages = await Promise.all(
    projectIds.map((id) => api<{ jobs: HistoryJob[] }>("GET", `/api/v1/consolidation/history/${id}?limit=20`)),
  );
  return pages.flatMap((p) => p.jobs).sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
}

/** Jobs of every project, live; with the trigger form. */
export function JobsPage() {
  const projects = useLoad(() => api<{ projects: Project[] }>("GET", "/api/v1/projects?limit=100"), []);
  return (
    <>
      <h1>Jobs</h1>
      {projects.error ? <Notice>{projects.error}</Notice> : null}
      {projects.data ? <JobsPanel projects={projects.data.projects} /> : <p class="muted">Loading…</p>}
    </>
  );
}

/** The trigger form and the live job list of the given projects (one project: its page's panel). */
export function JobsPanel(props: { projects: Project[]; projectId?: string; onJobEnded?: () => void }) {
  const { projects, projectId } = props;
  const onJobEnded = useRef(props.onJobEnded);
  onJobEnded.current = props.onJobEnded;
  const ids = projectId ? [projectId] : projects.map((p) => p.id);
  const [jobs, setJobs] = useState<LiveJob[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [stream, setStream] = useState<StreamState>("connecting");
  const idsKey = ids.join(",");
  const reload = useRef(async () => {});
  reload.current = async () => {
    try {
      const fresh = await loadJobs(ids);
      setJobs((old) => {
        const phases = new Map(old.map((j) => [j.id, j.phase]));
        return fresh.map((j) => ({ ...j, phase: ACTIVE.has(j.status) ? phases.get(j.id) : undefined }));
      });
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    void reload.current();
    const abort = new AbortController();
    void followJobEvents(
      projectId,
      (event: JobEvent) => {
        if (!ids.includes(event.project_id)) return;
        let known = false;
        setJobs((old) =>
          old.map((job) => {
            if (job.id !== event.job_id) return job;
            known = true;
            return { ...job, status: event.status, progress: event.progress, phase: event.phase ?? job.phase };
          }),
        );
        // A new job, or one that ended (its counters and timings changed): read the list again.
        if (!known || !ACTIVE.has(event.status)) void reload.current();
        if (!ACTIVE.has(event.status)) onJobEnded.current?.();
      },
      (state) => {
        setStream(state);
        if (state === "live") void reload.current();
      },
      abort.signal,
    );
    return () => abort.abort();
  }, [idsKey, projectId]);
  return (
    <>
      <TriggerForm projects={projects} projectId={projectId} onTriggered={() => void reload.current()} />
      <section aria-labelledby="jobs-title">
        <h2 id="jobs-title">
          Jobs <span class={`stream stream-${stream}`}>{stream === "live" ? "live" : stream === "connecting" ? "connecting…" : "reconnecting…"}</span>
        </h2>
        {error ? <Notice>{error}</Notice> : null}
        <JobTable jobs={jobs} projects={projects} showProject={!projectId} onChanged={() => void reload.current()} />
      </section>
    </>
  );
}

function JobTable(props: { jobs: LiveJob[]; projects: Project[]; showProject: boolean; onChanged: () => void }) {
  const names = new Map(props.projects.map((p) => [p.id, p.name]));
  const [error, setError] = useState<string | null>(null);
  if (props.jobs.length === 0) return <p>No jobs yet.</p>;
  const cancel = async (id: string) => {
    setError(null);
    try {
      await api<JobStatus>("POST", `/api/v1/consolidation/jobs/${id}/cancel`);
      props.onChanged();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div class="table-wrap">
      {error ? <Notice>{error}</Notice> : null}
      <table class="jobs">
        <caption class="sr-only">Jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            {props.showProject ? <th scope="col">Project</th> : null}
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Trigger</th>
            <th scope="col">Created</th>
            <th scope="col">Duration</th>
            <th scope="col">Merged / summaries / archived / promoted</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.jobs.map((job) => (
            <tr key={job.id} data-job={job.id} data-status={job.status}>
              <th scope="row">
                <a href={href("jobs", job.id)}>{shortId(job.id)}</a>
                {job.options.dry_run === true ? <span class="tag">dry run</span> : null}
              </th>
              {props.showProject ? <td>{names.get(job.project_id) ?? shortId(job.project_id)}</td> : null}
              <td>
                <StatusBadge status={job.rolled_back_at ? "rolled back" : job.status} />
              </td>
              <td>
                <Progress value={job.progress} phase={ACTIVE.has(job.status) ? job.phase : undefined} label={`Progress of job ${shortId(job.id)}`} />
              </td>
              <td>{job.trigger_type}</td>
              <td>{when(job.created_at)}</td>
              <td>{seconds(job.duration_seconds)}</td>
              <td>
                {job.memories_merged} / {job.summaries_created} / {job.memories_archived} / {job.memories_promoted}
              </td>
              <td>
                {ACTIVE.has(job.status) ? (
                  <button type="button" class="small" onClick={() => void cancel(job.id)}>
                    Cancel
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const FLAGS = ["merge_enabled", "summarize_enabled", "archive_enabled", "promote_enabled"] as const;

function TriggerForm(props: { projects: Project[]; projectId?: string | undefined; onTriggered: () => void }) {
  const [target, setTarget] = useState(props.projectId ?? props.projects[0]?.id ?? "");
  const [similarity, setSimilarity] = useState("");
  const [minCluster, setMinCluster] = useState("");
  const [review, setReview] = useState("");
  const [flags, setFlags] = useState<Record<string, boolean>>(Object.fromEntries(FLAGS.map((f) => [f, true])));
  const [dryRun, setDryRun] = useState(false);
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setMessage(null);
    const options: Record<string, unknown> = {};
    if (similarity.trim()) options.similarity_threshold = Number(similarity);
    if (minCluster.trim()) options.min_cluster_size = Number(minCluster);
    if (review.trim()) options.review_threshold = Number(review);
    for (const flag of FLAGS) if (!flags[flag]) options[flag] = false;
    if (dryRun) options.dry_run = true;
    try {
      const result = await api<{ job_id: string; created: boolean }>("POST", "/api/v1/consolidation/trigger", {
        project_id: target,
        ...(Object.keys(options).length > 0 ? { options } : {}),
      });
      setMessage({
        kind: "success",
        text: result.created ? `Job ${shortId(result.job_id)} queued.` : `Job ${shortId(result.job_id)} was already queued or running.`,
      });
      props.onTriggered();
    } catch (e) {
      setMessage({ kind: "error", text: e instanceof Error ? e.message : String(e) });
    }
  };
  return (
    <section aria-labelledby="trigger-title" class="card">
      <h2 id="trigger-title">Trigger a consolidation</h2>
      <form onSubmit={submit} class="inline-form">
        {props.projectId ? null : (
          <label>
            Project
            <select value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)} required>
              {props.projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Similarity threshold
          <input inputMode="decimal" placeholder="0.90" value={similarity} onInput={(e) => setSimilarity((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Min cluster size
          <input inputMode="numeric" placeholder="2" value={minCluster} onInput={(e) => setMinCluster((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Review threshold
          <input inputMode="decimal" placeholder="none" value={review} onInput={(e) => setReview((e.target as HTMLInputElement).value)} />
        </label>
        <fieldset>
          <legend>Phases</legend>
          {FLAGS.map((flag) => (
            <label key={flag} class="check">
              <input
                type="checkbox"
                checked={flags[flag]}
                onChange={(e) => setFlags({ ...flags, [flag]: (e.target as HTMLInputElement).checked })}
              />
              {flag.replace("_enabled", "")}
            </label>
          ))}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun((e.target as HTMLInputElement).checked)} />
          Dry run (plan only, change nothing)
        </label>
        <button type="submit">Trigger job</button>
      </form>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
    </section>
  );
}
