import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Notice, StatusBadge } from "../components.js";
import { shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { Plan, PlanItem } from "../types.js";

/** Most pages of plan items the page reads at once (100 items each). */
const MAX_PAGES = 20;

async function loadPlan(jobId: string): Promise<{ plan: Plan; items: PlanItem[] }> {
  const items: PlanItem[] = [];
  let plan: Plan | undefined;
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const path: string = `/api/v1/consolidation/plans/${jobId}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const result: { plan: Plan; items: PlanItem[]; next_cursor: string | null } = await api("GET", path);
    plan = result.plan;
    items.push(...result.items);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  if (!plan) throw new Error("The plan could not be read");
  return { plan, items };
}

function memoryText(value: unknown): string | null {
  if (value && typeof value === "object" && "execution_summary" in value) return String((value as { execution_summary: unknown }).execution_summary);
  return typeof value === "string" ? value : null;
}

/** A dry run's plan: what it would merge, archive, promote and send to review; apply or discard it. */
export function PlanPage({ jobId }: { jobId: string }) {
  const loaded = useLoad(() => loadPlan(jobId), [jobId]);
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string; jobId?: string } | null>(null);
  const decide = async (action: "apply" | "discard") => {
    setMessage(null);
    try {
      if (action === "apply") {
        const result = await api<{ job_id: string }>("POST", `/api/v1/consolidation/plans/${jobId}/apply`);
        setMessage({ kind: "success", text: `Applied: job ${shortId(result.job_id)} carries out the plan.`, jobId: result.job_id });
      } else {
        await api("POST", `/api/v1/consolidation/plans/${jobId}/discard`);
        setMessage({ kind: "success", text: "Discarded: nothing was changed." });
      }
      await loaded.reload();
    } catch (e) {
      setMessage({ kind: "error", text: e instanceof Error ? e.message : String(e) });
    }
  };
  if (loaded.error) return <Notice>{loaded.error}</Notice>;
  if (!loaded.data) return <p class="muted">Loading…</p>;
  const { plan, items } = loaded.data;
  const kinds = ["merge", "archive", "promote", "review"] as const;
  return (
    <>
      <p class="crumbs">
        <a href={href("review", plan.project_id)}>Review</a> / plan of job <a href={href("jobs", jobId)}>{shortId(jobId)}</a>
      </p>
      <h1>
        Dry-run plan <StatusBadge status={plan.status} />
      </h1>
      <dl class="counts" aria-label="Plan summary">
        {Object.entries(plan.summary).map(([key, value]) => (
          <div key={key}>
            <dt>{key.replaceAll("_", " ")}</dt>
            <dd data-summary={key}>{String(value)}</dd>
          </div>
        ))}
      </dl>
      <p class="muted">
        Planned {when(plan.created_at)}
        {plan.decided_at ? `; ${plan.status} by ${plan.decided_by} ${when(plan.decided_at)}` : ""}
        {plan.applied_job_id ? (
          <>
            {" "}
            · carried out by job <a href={href("jobs", plan.applied_job_id)}>{shortId(plan.applied_job_id)}</a>
          </>
        ) : null}
      </p>
      {message ? (
        <Notice kind={message.kind}>
          {message.text} {message.jobId ? <a href={href("jobs", message.jobId)}>Open the job</a> : null}
        </Notice>
      ) : null}
      {plan.status === "ready" ? (
        <div class="buttons">
          <button type="button" class="primary" onClick={() => void decide("apply")}>
            Apply plan
          </button>
          <button type="button" onClick={() => void decide("discard")}>
            Discard plan
          </button>
        </div>
      ) : null}
      {kinds.map((kind) => {
        const ofKind = items.filter((i) => i.kind === kind);
        if (ofKind.length === 0) return null;
        return (
          <section key={kind} aria-labelledby={`plan-${kind}`}>
            <h2 id={`plan-${kind}`}>
              {kind} ({ofKind.length})
            </h2>
            <ul class="plan-items">
              {ofKind.map((item) => {
                const consolidated = memoryText(item.detail.consolidated);
                const reason = typeof item.detail.reason === "string" ? item.detail.reason : null;
                const weakest = item.similarities && item.similarities.length > 0 ? Math.min(...item.similarities.map((s) => s.similarity)) : null;
                return (
                  <li key={item.position} class="card">
                    <p>
                      {item.memory_ids.length} {item.memory_ids.length === 1 ? "memory" : "memories"}: {item.memory_ids.map(shortId).join(", ")}
                      {weakest === null ? "" : ` · weakest similarity ${weakest.toFixed(3)}`}
                    </p>
                    {consolidated ? <p class="memory-text">→ {consolidated}</p> : null}
                    {reason ? <p class="muted">{reason}</p> : null}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </>
  );
}
