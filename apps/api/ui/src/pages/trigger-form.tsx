import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Notice } from "../components.js";
import { shortId } from "../format.js";
import type { Project } from "../types.js";

const FLAGS = ["merge_enabled", "summarize_enabled", "archive_enabled", "promote_enabled"] as const;

/** Triggers a job for a project, with its options and dry run. */
export function TriggerForm(props: { projects: Project[]; projectId?: string | undefined; onTriggered: () => void }) {
  const [target, setTarget] = useState(props.projectId ?? props.projects[0]?.id ?? "");
  const [similarity, setSimilarity] = useState("");
  const [minCluster, setMinCluster] = useState("");
  const [review, setReview] = useState("");
  const [flags, setFlags] = useState<Record<string, boolean>>(Object.fromEntries(FLAGS.map((f) => [f, true])));
  const [dryRun, setDryRun] = useState(false);
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setMessage(null);
    const options: Record<string, unknown> = {};
    if (similarity.trim()) options.similarity_threshold = Number(similarity);
    if (minCluster.trim()) options.min_cluster_size = Number(minCluster);
    if (review.trim()) options.review_threshold = Number(review);
    for (const flag of FLAGS) if (!flags[flag]) options[flag] = false;
    if (dryRun) options.dry_run = true;
    try {
      const result = await api<{ job_id: string; created: boolean }>("POST", "/api/v1/consolidation/trigger", {
        project_id: target,
        ...(Object.keys(options).length > 0 ? { options } : {}),
      });
      setMessage({
        kind: "success",
        text: result.created ? `Job ${shortId(result.job_id)} queued.` : `Job ${shortId(result.job_id)} was already queued or running.`,
      });
      props.onTriggered();
    } catch (e) {
      setMessage({ kind: "error", text: e instanceof Error ? e.message : String(e) });
    }
  };
  return (
    <section aria-labelledby="trigger-title" class="card">
      <h2 id="trigger-title">Trigger a consolidation</h2>
      <form onSubmit={submit} class="inline-form">
        {props.projectId ? null : (
          <label>
            Project
            <select value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)} required>
              {props.projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Similarity threshold
          <input inputMode="decimal" placeholder="0.90" value={similarity} onInput={(e) => setSimilarity((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Min cluster size
          <input inputMode="numeric" placeholder="2" value={minCluster} onInput={(e) => setMinCluster((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Review threshold
          <input inputMode="decimal" placeholder="none" value={review} onInput={(e) => setReview((e.target as HTMLInputElement).value)} />
        </label>
        <fieldset>
          <legend>Phases</legend>
          {FLAGS.map((flag) => (
            <label key={flag} class="check">
              <input
                type="checkbox"
                checked={flags[flag]}
                onChange={(e) => setFlags({ ...flags, [flag]: (e.target as HTMLInputElement).checked })}
              />
              {flag.replace("_enabled", "")}
            </label>
          ))}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun((e.target as HTMLInputElement).checked)} />
          Dry run (plan only, change nothing)
        </label>
        <button type="submit">Trigger job</button>
      </form>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
    </section>
  );
}
