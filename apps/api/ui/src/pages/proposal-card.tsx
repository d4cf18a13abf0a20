import { api } from "../api.js";
import { Notice, StatusBadge } from "../components.js";
import { shortId, when } from "../format.js";
import { useLoad } from "../load.js";
import { href } from "../router.js";
import type { Proposal, ProposalMembers } from "../types.js";

/** The members of a proposal as they are now: their text, and whether they changed since. */
function Members({ proposal }: { proposal: Proposal }) {
  const members = useLoad(() => api<ProposalMembers>("GET", `/api/v1/consolidation/proposals/${proposal.id}/members`), [proposal.id]);
  if (members.error) return <Notice>{members.error}</Notice>;
  if (!members.data) return <p class="muted">Loading the memories…</p>;
  const changed = new Set(members.data.changed_ids);
  return (
    <>
      <ol class="members" aria-label="Memories proposed together">
        {members.data.members.map((m) => (
          <li key={m.id} data-member={m.id}>
            <div class="memory-head">
              <code>{shortId(m.id)}</code>
              <span class="tag">{m.memory_type}</span>
              {changed.has(m.id) ? <span class="tag warn">changed since proposed</span> : null}
              {m.is_archived ? <span class="tag warn">archived</span> : null}
            </div>
            <p class="memory-text">{m.execution_summary}</p>
          </li>
        ))}
      </ol>
      {changed.size > 0 || members.data.missing_ids.length > 0 ? (
        <Notice kind="info">
          {changed.size + members.data.missing_ids.length} of these memories changed or were deleted since this was proposed, so
          approving it will be refused.
        </Notice>
      ) : null}
    </>
  );
}

/** One review proposal: its members' text, pair similarities, reason, judge verdict, and approve/reject. */
export function ProposalCard({ proposal: p, onDecide }: { proposal: Proposal; onDecide: (decision: "approve" | "reject") => void }) {
  const title = `proposal-${p.id}`;
  return (
    <li class="card" data-proposal={p.id} data-status={p.status} aria-labelledby={title}>
      <div class="memory-head" id={title}>
        <StatusBadge status={p.status} />
        <strong>{p.member_ids.length} memories</strong>
        <span>weakest similarity {p.min_similarity.toFixed(3)}</span>
        <span class="tag">{p.reason}</span>
        <span class="muted">proposed {when(p.created_at)}</span>
      </div>
      <Members proposal={p} />
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
          <button type="button" class="primary" aria-describedby={title} onClick={() => onDecide("approve")}>
            Approve
          </button>
          <button type="button" aria-describedby={title} onClick={() => onDecide("reject")}>
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
  );
}
