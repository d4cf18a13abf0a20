import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.js";
import { Notice, Progress, StatusBadge } from "../components.js";
import { followJobEvents, type StreamState } from "../events.js";
import { seconds, shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { HistoryJob, JobEvent, JobStatus, Project } from "../types.js";
import { TriggerForm } from "./trigger-form.js";

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
