import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Notice, StatusBadge } from "../components.js";
import { when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { HistoryJob, Project, ProjectDetail, Schedule } from "../types.js";

interface Row {
  project: ProjectDetail;
  lastJob: HistoryJob | undefined;
}

async function loadRows(): Promise<{ rows: Row[]; schedule: Schedule }> {
  const [{ projects }, schedule] = await Promise.all([
    api<{ projects: Project[] }>("GET", "/api/v1/projects?limit=100"),
    api<Schedule>("GET", "/api/v1/consolidation/schedule"),
  ]);
  const rows = await Promise.all(
    projects.map(async (p) => {
      const [project, history] = await Promise.all([
        api<ProjectDetail>("GET", `/api/v1/projects/${p.id}`),
        api<{ jobs: HistoryJob[] }>("GET", `/api/v1/consolidation/history/${p.id}?limit=1`),
      ]);
      return { project, lastJob: history.jobs[0] };
    }),
  );
  return { rows, schedule };
}

/** Every project with its counts, settings, last job and next scheduled run; and a form to create one. */
export function ProjectsPage() {
  const loaded = useLoad(loadRows, []);
  return (
    <>
      <h1>Projects</h1>
      {loaded.error ? <Notice>{loaded.error}</Notice> : null}
      {loaded.data ? <ProjectTable rows={loaded.data.rows} schedule={loaded.data.schedule} /> : <p class="muted">Loading…</p>}
      <CreateProject onCreated={() => void loaded.reload()} />
    </>
  );
}

function nextRun(project: ProjectDetail, schedule: Schedule): string {
  if (!project.consolidation_enabled) return "disabled";
  if (!schedule.next_run_at) return "—";
  const threshold = project.consolidation_threshold ?? schedule.default_threshold;
  return `${when(schedule.next_run_at)}${project.memory_counts.active > threshold ? "" : " (below threshold)"}`;
}

function ProjectTable({ rows, schedule }: { rows: Row[]; schedule: Schedule }) {
  if (rows.length === 0) return <p>No projects yet: create one below.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">Projects</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Active</th>
            <th scope="col">Archived</th>
            <th scope="col">Duplicate</th>
            <th scope="col">Total</th>
            <th scope="col">Enabled</th>
            <th scope="col">Threshold</th>
            <th scope="col">Last job</th>
            <th scope="col">Next scheduled run</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ project, lastJob }) => (
            <tr key={project.id} data-project={project.name}>
              <th scope="row">
                <a href={href("projects", project.id)}>{project.name}</a>
              </th>
              <td data-count="active">{project.memory_counts.active}</td>
              <td data-count="archived">{project.memory_counts.archived}</td>
              <td data-count="duplicate">{project.memory_counts.duplicate}</td>
              <td data-count="total">{project.memory_counts.total}</td>
              <td>{project.consolidation_enabled ? "yes" : "no"}</td>
              <td>{project.consolidation_threshold ?? `${schedule.default_threshold} (default)`}</td>
              <td>
                {lastJob ? (
                  <a href={href("jobs", lastJob.id)}>
                    <StatusBadge status={lastJob.rolled_back_at ? "rolled back" : lastJob.status} /> {when(lastJob.created_at)}
                  </a>
                ) : (
                  "none"
                )}
              </td>
              <td>{nextRun(project, schedule)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CreateProject({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [threshold, setThreshold] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setCreated(null);
    try {
      const body: Record<string, unknown> = { name };
      if (threshold.trim()) body.consolidation_threshold = Number(threshold);
      const project = await api<Project>("POST", "/api/v1/projects", body);
      setCreated(project.name);
      setName("");
      setThreshold("");
      onCreated();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section aria-labelledby="create-title" class="card">
      <h2 id="create-title">Create a project</h2>
      <form onSubmit={submit} class="inline-form">
        <label>
          Name
          <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} required />
        </label>
        <label>
          Threshold (10–1000, empty for the default)
          <input inputMode="numeric" value={threshold} onInput={(e) => setThreshold((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Create project</button>
      </form>
      {error ? <Notice>{error}</Notice> : null}
      {created ? <Notice kind="success">Created {created}.</Notice> : null}
    </section>
  );
}
