import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Notice, StatusBadge } from "../components.js";
import { shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { HistoryJob, Project, Proposal } from "../types.js";
import { ProposalCard } from "./proposal-card.js";

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
          <ProposalCard key={p.id} proposal={p} onDecide={(decision) => void decide(p, decision)} />
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
