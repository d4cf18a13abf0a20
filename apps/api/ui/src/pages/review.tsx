import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Notice, StatusBadge } from "../components.js";
import { shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { HistoryJob, Project, Proposal } from "../types.js";

/** The review queue (proposals to approve or reject) and the dry runs of one project. */
export function ReviewPage({ projectId }: { projectId?: string | undefined }) {
  const projects = useLoad(() => api<{ projects: Project[] }>("GET", "/api/v1/projects?limit=100"), []);
  const list = projects.data?.projects ?? [];
  const current = projectId ?? list[0]?.id;
  return (
    <>
      <h1>Review</h1>
      {projects.error ? <Notice>{projects.error}</Notice> : null}
      {list.length > 0 ? (
        <label class="project-pick">
          Project
          <select
            value={current}
            onChange={(e) => {
              window.location.hash = href("review", (e.target as HTMLSelectElement).value);
            }}
          >
            {list.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {current ? (
        <>
          <Proposals projectId={current} />
          <DryRuns projectId={current} />
        </>
      ) : null}
    </>
  );
}

function Proposals({ projectId }: { projectId: string }) {
  const [status, setStatus] = useState("pending");
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string; jobId?: string } | null>(null);
  const proposals = useLoad(
    () => api<{ proposals: Proposal[] }>("GET", `/api/v1/projects/${projectId}/proposals?limit=100${status ? `&status=${status}` : ""}`),
    [projectId, status],
  );
  const decide = async (proposal: Proposal, decision: "approve" | "reject") => {
    setMessage(null);
    try {
      if (decision === "approve") {
        const result = await api<{ job_id: string }>("POST", `/api/v1/consolidation/proposals/${proposal.id}/approve`);
        setMessage({ kind: "success", text: `Approved: job ${shortId(result.job_id)} merges its ${proposal.member_ids.length} memories.`, jobId: result.job_id });
      } else {
        await api("POST", `/api/v1/consolidation/proposals/${proposal.id}/reject`);
        setMessage({ kind: "success", text: "Rejected: these memories will not be proposed together again." });
      }
      await proposals.reload();
    } catch (e) {
      setMessage({ kind: "error", text: e instanceof Error ? e.message : String(e) });
    }
  };
  const items = proposals.data?.proposals ?? [];
  return (
    <section aria-labelledby="proposals-title">
      <h2 id="proposals-title">Proposals</h2>
      <label class="inline">
        Show
        <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
          <option value="pending">pending</option>
          <option value="approved">approved</option>
          <option value="rejected">rejected</option>
          <option value="">all</option>
        </select>
      </label>
      {message ? (
        <Notice kind={message.kind}>
          {message.text} {message.jobId ? <a href={href("jobs", message.jobId)}>Open the job</a> : null}
        </Notice>
      ) : null}
      {proposals.error ? <Notice>{proposals.error}</Notice> : null}
      {proposals.data && items.length === 0 ? (
        <p>No {status} proposals. A job run with a review threshold proposes clusters it was not sure enough to merge.</p>
      ) : null}
      <ul class="proposals">
        {items.map((p) => (
          <li key={p.id} class="card" data-proposal={p.id} data-status={p.status}>
            <div class="memory-head">
              <StatusBadge status={p.status} />
              <strong>{p.member_ids.length} memories</strong>
              <span>weakest similarity {p.min_similarity.toFixed(3)}</span>
              <span class="tag">{p.reason}</span>
              <span class="muted">proposed {when(p.created_at)}</span>
            </div>
            <table class="pairs">
              <caption class="sr-only">Pair similarities</caption>
              <thead>
                <tr>
                  <th scope="col">Memory</th>
                  <th scope="col">Memory</th>
                  <th scope="col">Similarity</th>
                </tr>
              </thead>
              <tbody>
                {p.similarities.map((s) => (
                  <tr key={`${s.a}-${s.b}`}>
                    <td>{shortId(s.a)}</td>
                    <td>{shortId(s.b)}</td>
                    <td>{s.similarity.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {p.judge_verdict ? (
              <p class="muted">
                Judge ({p.judge_model}): {p.judge_verdict} — {p.judge_rationale}
              </p>
            ) : null}
            {p.status === "pending" ? (
              <div class="buttons">
                <button type="submit" onClick={() => void decide(p, "approve")}>
                  Approve
                </button>
                <button type="button" onClick={() => void decide(p, "reject")}>
                  Reject
                </button>
              </div>
            ) : (
              <p class="muted">
                {p.status} by {p.decided_by} {when(p.decided_at)}
                {p.applied_job_id ? (
                  <>
                    {" "}
                    · merged by job <a href={href("jobs", p.applied_job_id)}>{shortId(p.applied_job_id)}</a>
                  </>
                ) : null}
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function DryRuns({ projectId }: { projectId: string }) {
  const history = useLoad(() => api<{ jobs: HistoryJob[] }>("GET", `/api/v1/consolidation/history/${projectId}?limit=100`), [projectId]);
  const runs = (history.data?.jobs ?? []).filter((j) => j.options.dry_run === true);
  return (
    <section aria-labelledby="dry-runs-title">
      <h2 id="dry-runs-title">Dry runs</h2>
      {history.error ? <Notice>{history.error}</Notice> : null}
      {history.data && runs.length === 0 ? <p>No dry runs: trigger a job with “Dry run” ticked to plan without changing anything.</p> : null}
      <ul class="dry-runs">
        {runs.map((j) => (
          <li key={j.id}>
            <a href={href("plans", j.id)}>Plan of job {shortId(j.id)}</a> <StatusBadge status={j.status} />{" "}
            <span class="muted">{when(j.created_at)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
