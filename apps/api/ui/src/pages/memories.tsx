import { useState } from "preact/hooks";
import { api, query } from "../api.js";
import { Notice } from "../components.js";
import { shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { Change, Memory } from "../types.js";

const TYPES = ["", "error_fix", "discovery", "decision", "learning", "warning", "codebase_knowledge", "consolidated", "synthesis"];

/** A project's memories: list, similarity search, filters, and each memory's audit trail. */
export function Memories({ projectId }: { projectId: string }) {
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
