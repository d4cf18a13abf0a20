import { useMemo, useState } from "preact/hooks";
import { api, query } from "../api.js";
import { Notice, TimeChart } from "../components.js";
import { shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { Change, HistoryJob, Memory, PlaybookEntry, ProjectDetail } from "../types.js";
import { JobsPanel } from "./jobs.js";

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

const TYPES = ["", "error_fix", "discovery", "decision", "learning", "warning", "codebase_knowledge", "consolidated", "synthesis"];

function Memories({ projectId }: { projectId: string }) {
  const [q, setQ] = useState("");
  const [filters, setFilters] = useState({ q: "", memory_type: "", include_archived: false, include_duplicates: false });
  const [selected, setSelected] = useState<string | null>(null);
  const [more, setMore] = useState<{ memories: Memory[]; next: string | null }>({ memories: [], next: null });
  const memories = useLoad(async () => {
    const page = await api<{ memories: Memory[]; next_cursor: string | null }>(
      "GET",
      `/api/v1/projects/${projectId}/memories${query({ ...filters, limit: 20 })}`,
    );
    setMore({ memories: [], next: page.next_cursor });
    return page;
  }, [projectId, filters]);
  const loadMore = async () => {
    if (!more.next) return;
    const page = await api<{ memories: Memory[]; next_cursor: string | null }>(
      "GET",
      `/api/v1/projects/${projectId}/memories${query({ ...filters, limit: 20, cursor: more.next })}`,
    );
    setMore({ memories: [...more.memories, ...page.memories], next: page.next_cursor });
  };
  return (
    <section aria-labelledby="memories-title">
      <h2 id="memories-title">Memories</h2>
      <form
        class="inline-form"
        aria-label="Search memories"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...filters, q });
        }}
      >
        <label>
          Similarity search
          <input type="search" value={q} placeholder="postgres connection pool" onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Type
          <select value={filters.memory_type} onChange={(e) => setFilters({ ...filters, memory_type: (e.target as HTMLSelectElement).value })}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t || "any"}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={filters.include_archived}
            onChange={(e) => setFilters({ ...filters, include_archived: (e.target as HTMLInputElement).checked })}
          />
          Archived
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={filters.include_duplicates}
            onChange={(e) => setFilters({ ...filters, include_duplicates: (e.target as HTMLInputElement).checked })}
          />
          Duplicates
        </label>
        <button type="submit">Search</button>
      </form>
      {memories.error ? <Notice>{memories.error}</Notice> : null}
      <ul class="memories">
        {[...(memories.data?.memories ?? []), ...more.memories].map((m) => (
          <li key={m.id}>
            <div class="memory-head">
              <span class="tag">{m.memory_type}</span>
              {m.is_archived ? <span class="tag warn">archived ({m.archive_reason})</span> : null}
              {m.is_duplicate ? <span class="tag">duplicate of {shortId(m.duplicate_of)}</span> : null}
              {m.similarity === undefined ? null : <span class="muted">similarity {m.similarity.toFixed(3)}</span>}
              <button type="button" class="small" aria-expanded={selected === m.id} onClick={() => setSelected(selected === m.id ? null : m.id)}>
                {selected === m.id ? "Hide audit trail" : "Audit trail"}
              </button>
            </div>
            <p class="memory-text">{m.execution_summary}</p>
            {selected === m.id ? <AuditTrail projectId={projectId} memoryId={m.id} /> : null}
          </li>
        ))}
      </ul>
      {memories.data && memories.data.memories.length === 0 ? <p>No memories match.</p> : null}
      {more.next ? (
        <button type="button" onClick={() => void loadMore()}>
          More memories
        </button>
      ) : null}
    </section>
  );
}

function AuditTrail({ projectId, memoryId }: { projectId: string; memoryId: string }) {
  const trail = useLoad(
    () => api<{ changes: Change[] }>("GET", `/api/v1/projects/${projectId}/memories/${memoryId}/changes?limit=50`),
    [projectId, memoryId],
  );
  if (trail.error) return <Notice>{trail.error}</Notice>;
  if (!trail.data) return <p class="muted">Loading…</p>;
  if (trail.data.changes.length === 0) return <p class="muted">No changes recorded for this memory.</p>;
  return (
    <ol class="trail">
      {trail.data.changes.map((c) => (
        <li key={c.id}>
          <strong>{c.operation}</strong> {when(c.changed_at)} by {c.changed_by}
          {c.consolidation_job_id ? (
            <>
              {" "}
              in job <a href={href("jobs", c.consolidation_job_id)}>{shortId(c.consolidation_job_id)}</a>
            </>
          ) : null}
          {c.reason ? <span class="muted"> — {c.reason}</span> : null}
        </li>
      ))}
    </ol>
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
