import type { ClusterChange, GroupedChanges, MemorySnapshot } from "../clusters.js";
import { shortId } from "../format.js";

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

/** A job's changes grouped by cluster, before and after side by side. */
export function ChangesView({ grouped }: { grouped: GroupedChanges }) {
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
