import { useState } from "preact/hooks";
import { api } from "../api.js";
import type { GroupedChanges } from "../clusters.js";
import { Notice } from "../components.js";
import { rollbackSummary } from "../rollback-summary.js";

/** Rolls a job back after a confirmation that says what will be restored; hands the outcome to `onDone`. */
export function Rollback({ jobId, grouped, onDone }: { jobId: string; grouped: GroupedChanges; onDone: (outcome: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setError(null);
    try {
      const r = await api<{ memories_restored: number; memories_deleted: number; playbook_entries_deleted?: number; warnings: string[] }>(
        "POST",
        "/api/v1/consolidation/rollback",
        { consolidation_id: jobId, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      );
      setConfirming(false);
      onDone(
        `Rolled back: ${r.memories_restored} memories restored, ${r.memories_deleted} deleted, ${r.playbook_entries_deleted ?? 0} playbook entries removed.` +
          (r.warnings.length > 0 ? ` Warnings: ${r.warnings.join("; ")}` : ""),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section class="card" aria-labelledby="rollback-title">
      <h2 id="rollback-title">Roll back</h2>
      {confirming ? (
        <div role="alertdialog" aria-labelledby="rollback-confirm" class="confirm">
          <p id="rollback-confirm">{rollbackSummary(grouped)}</p>
          <label>
            Reason (recorded in the audit log)
            <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </label>
          <div class="buttons">
            <button type="button" class="danger" onClick={() => void run()}>
              Confirm rollback
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep the job
            </button>
          </div>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Roll back this job…
        </button>
      )}
      {error ? <Notice>{error}</Notice> : null}
    </section>
  );
}
