import { useMemo, useState } from "preact/hooks";
import { api } from "../api.js";
import { Notice, TimeChart } from "../components.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { HistoryJob, PlaybookEntry, ProjectDetail } from "../types.js";
import { JobsPanel } from "./jobs.js";
import { Memories } from "./memories.js";

const TABS = [
  ["overview", "Jobs and charts"],
  ["memories", "Memories"],
  ["playbook", "Playbook"],
] as const;

/** One project: counts and settings, charts, jobs, memories with their audit trail, playbook. */
export function ProjectPage({ projectId, tab = "overview" }: { projectId: string; tab?: string | undefined }) {
  const project = useLoad(() => api<ProjectDetail>("GET", `/api/v1/projects/${projectId}`), [projectId]);
  const [ended, setEnded] = useState(0);
  if (project.error) return <Notice>{project.error}</Notice>;
  if (!project.data) return <p class="muted">Loading…</p>;
  const p = project.data;
  return (
    <>
      <p class="crumbs">
        <a href={href("projects")}>Projects</a> / {p.name}
      </p>
      <h1>{p.name}</h1>
      <dl class="counts" aria-label="Memory counts">
        {(["active", "archived", "duplicate", "total"] as const).map((k) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd data-count={k}>{p.memory_counts[k]}</dd>
          </div>
        ))}
      </dl>
      <Settings project={p} onSaved={() => void project.reload()} />
      <nav class="tabs" aria-label="Project sections">
        {TABS.map(([name, label]) => (
          <a key={name} href={href("projects", projectId, name)} aria-current={tab === name ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {tab === "memories" ? (
        <Memories projectId={projectId} />
      ) : tab === "playbook" ? (
        <Playbook projectId={projectId} />
      ) : (
        <>
          <Charts projectId={projectId} version={ended} />
          <JobsPanel
            projects={[p]}
            projectId={projectId}
            onJobEnded={() => {
              setEnded((n) => n + 1);
              void project.reload();
            }}
          />
        </>
      )}
    </>
  );
}

function Settings({ project, onSaved }: { project: ProjectDetail; onSaved: () => void }) {
  const [enabled, setEnabled] = useState(project.consolidation_enabled);
  const [threshold, setThreshold] = useState(project.consolidation_threshold === null ? "" : String(project.consolidation_threshold));
  const [options, setOptions] = useState(JSON.stringify(project.consolidation_options ?? {}, null, 2));
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setMessage(null);
    let parsed: unknown;
    try {
      parsed = options.trim() ? JSON.parse(options) : {};
    } catch (e) {
      setMessage({ kind: "error", text: `Options are not valid JSON: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    try {
      await api("POST", `/api/v1/consolidation/configure/${project.id}`, {
        enabled,
        threshold: threshold.trim() ? Number(threshold) : null,
        options: parsed,
      });
      setMessage({ kind: "success", text: "Settings saved." });
      onSaved();
    } catch (e) {
      setMessage({ kind: "error", text: e instanceof Error ? e.message : String(e) });
    }
  };
  return (
    <details class="card">
      <summary>Settings</summary>
      <form onSubmit={submit} class="stack-form">
        <label class="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)} />
          Consolidation enabled
        </label>
        <label>
          Threshold (10–1000, empty for the default)
          <input inputMode="numeric" value={threshold} onInput={(e) => setThreshold((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Options (JSON, e.g. {'{"similarity_threshold": 0.92}'})
          <textarea rows={5} value={options} onInput={(e) => setOptions((e.target as HTMLTextAreaElement).value)} />
        </label>
        <button type="submit">Save settings</button>
      </form>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
    </details>
  );
}

function Charts({ projectId, version }: { projectId: string; version: number }) {
  const history = useLoad(
    () => api<{ jobs: HistoryJob[] }>("GET", `/api/v1/consolidation/history/${projectId}?limit=100&status=completed`),
    [projectId, version],
  );
  const data = useMemo(() => {
    const jobs = [...(history.data?.jobs ?? [])].filter((j) => j.created_at).reverse();
    const x = jobs.map((j) => Math.floor(Date.parse(String(j.completed_at ?? j.created_at)) / 1000));
    return {
      x,
      counts: [
        { label: "memories before", values: jobs.map((j) => j.memories_before), color: "#8a8f98" },
        { label: "memories after", values: jobs.map((j) => j.memories_after), color: "#2563eb" },
      ],
      durations: [{ label: "duration (s)", values: jobs.map((j) => j.duration_seconds), color: "#c2410c" }],
    };
  }, [history.data]);
  return (
    <section aria-labelledby="charts-title">
      <h2 id="charts-title">Over time</h2>
      {history.error ? <Notice>{history.error}</Notice> : null}
      <div class="charts">
        <TimeChart title="Memories examined before and after each job" x={data.x} series={data.counts} />
        <TimeChart title="Job duration (seconds)" x={data.x} series={data.durations} />
      </div>
    </section>
  );
}

function Playbook({ projectId }: { projectId: string }) {
  const entries = useLoad(() => api<{ entries: PlaybookEntry[] }>("GET", `/api/v1/projects/${projectId}/playbook?limit=50`), [projectId]);
  return (
    <section aria-labelledby="playbook-title">
      <h2 id="playbook-title">Playbook</h2>
      {entries.error ? <Notice>{entries.error}</Notice> : null}
      {entries.data && entries.data.entries.length === 0 ? <p>Nothing promoted yet.</p> : null}
      <ul class="playbook">
        {(entries.data?.entries ?? []).map((e) => (
          <li key={e.id}>
            <span class="tag">{e.category}</span> <span class="muted">priority {e.priority}</span>
            <p>{e.content}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
