import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { apiClient } from "../test/helpers/api-client.js";
import { waitFor } from "../test/helpers/processes.js";
import { CHAOS_TIMINGS, CHAOS_TOKEN, Stage } from "./stage.js";

/** What one run of a scenario observed. */
export interface ChaosRun {
  /** Processes that exited without being killed on purpose (with their last output). */
  exits: string[];
  job_completed: boolean;
  memories_lost: number;
  retries_used: number;
  /** Milliseconds from the database answering again (or the holder freezing/dying) to the job moving again. */
  resume_ms: number | null;
  /** After a rollback: every column of every memory and playbook entry equals the state before the job. */
  snapshot_equal: boolean | null;
}

/** A named fault scenario run against real processes and a real PostgreSQL server. */
export type Scenario = (adminUrl: string) => Promise<ChaosRun>;

const THEMES = 4;
const COPIES = 5;
const MEMORIES = THEMES * COPIES;

/** Runs `body` on a fresh stage and always tears it down. */
async function onStage(adminUrl: string, body: (stage: Stage) => Promise<ChaosRun>): Promise<ChaosRun> {
  const stage = await Stage.open(adminUrl);
  try {
    return await body(stage);
  } finally {
    await stage.close();
  }
}

/** What a run observed once its job finished: exits, completion, lost memories, retries, resume time. */
async function outcome(
  stage: Stage,
  projectId: string,
  final: { status: string; retry_count: number },
  resumeMs: number | null,
  snapshotEqual: boolean | null = null,
): Promise<ChaosRun> {
  return {
    exits: stage.unexpectedExits(),
    job_completed: final.status === "completed",
    memories_lost: await stage.memoriesLost(projectId, MEMORIES),
    retries_used: final.retry_count,
    resume_ms: resumeMs,
    snapshot_equal: snapshotEqual,
  };
}

/** Waits until the job's lease was renewed after `since` (epoch ms) or it finished; returns the delay. */
async function resumedAfter(stage: Stage, jobId: string, since: number): Promise<number> {
  return waitFor(
    `job ${jobId} to resume`,
    async () => {
      const state = await stage.job(jobId);
      if (state.completed_at_ms != null) return Math.max(0, state.completed_at_ms - since);
      const renewedAt = state.locked_until_ms == null ? null : state.locked_until_ms - CHAOS_TIMINGS.leaseMs;
      return renewedAt != null && renewedAt >= since ? renewedAt - since : undefined;
    },
    CHAOS_TIMINGS.outageLimitMs + 30_000,
    25,
  );
}

/** A database outage of `outageMs` while the job runs `phase` on a single worker. */
function outageDuring(phase: "detect" | "merge", outageMs: number): Scenario {
  return (adminUrl) =>
    onStage(adminUrl, async (stage) => {
      const worker = await stage.startWorker("chaos-worker");
      await stage.ready(worker);
      const projectId = await stage.seedDirect(THEMES, COPIES);
      stage.embeddings.setDelay(CHAOS_TIMINGS.embedDelayMs);
      const jobId = await stage.trigger(projectId);
      await stage.inPhase(jobId, phase);
      if (phase === "merge") await sleep(CHAOS_TIMINGS.embedDelayMs / 2); // inside the merge transaction
      stage.proxy.outage(outageMs);
      await sleep(outageMs);
      const back = Date.now();
      const resume = await resumedAfter(stage, jobId, back);
      const final = await stage.finished(jobId);
      return outcome(stage, projectId, final, resume);
    });
}

/** Worker and API start while the database refuses connections, report not ready, then serve once it is back. */
const outageAtStartup: Scenario = (adminUrl) =>
  onStage(adminUrl, async (stage) => {
    stage.proxy.refuse();
    const worker = await stage.startWorker("chaos-worker");
    const api = await stage.startApi();
    const notReady = await waitFor(
      "both processes to answer /readyz 503",
      async () => {
        const answers = await Promise.all(
          [worker, api].map((p) => fetch(`${p.url}/readyz`).then(async (r) => ({ status: r.status, body: await r.text() }), () => null)),
        );
        return answers.every((a) => a?.status === 503) ? answers : undefined;
      },
      30_000,
      100,
    );
    if (notReady.some((a) => /select|from\s/i.test(a?.body ?? ""))) throw new Error(`a readiness message shows SQL: ${JSON.stringify(notReady)}`);
    await sleep(2_000); // the processes keep retrying, and stay up
    stage.proxy.allow();
    const back = Date.now();
    await stage.ready(worker);
    await stage.ready(api);
    const resume = Date.now() - back;
    const projectId = await stage.seedDirect(THEMES, COPIES);
    const jobId = await stage.trigger(projectId);
    const final = await stage.finished(jobId);
    return outcome(stage, projectId, final, resume);
  });

/**
 * The holder freezes (SIGSTOP) mid-merge past its lease: a second worker takes the job over; the old
 * holder, continued, notices it lost the lease and writes nothing more.
 */
const frozenHolder: Scenario = (adminUrl) =>
  onStage(adminUrl, async (stage) => {
    const first = await stage.startWorker("chaos-frozen");
    await stage.ready(first);
    const projectId = await stage.seedDirect(THEMES, COPIES);
    stage.embeddings.setDelay(CHAOS_TIMINGS.embedDelayMs);
    const jobId = await stage.trigger(projectId);
    await stage.inPhase(jobId, "merge");
    await sleep(CHAOS_TIMINGS.embedDelayMs / 2);
    first.proc.child.kill("SIGSTOP");
    const frozenAt = Date.now();
    const second = await stage.startWorker("chaos-successor");
    await stage.ready(second);
    const takenOver = await waitFor(
      "the successor to take the job over",
      async () => ((await stage.job(jobId)).locked_by === "chaos-successor" ? Date.now() : undefined),
      CHAOS_TIMINGS.leaseMs * 4,
      50,
    );
    const final = await stage.finished(jobId);
    first.proc.child.kill("SIGCONT");
    await sleep(CHAOS_TIMINGS.leaseMs / 2);
    const [late] = await stage.db.rows<{ n: number }>(sql`select count(*)::int as n from memcons.consolidation_changes
        where consolidation_job_id = ${jobId} and changed_by = 'worker:chaos-frozen'
          and changed_at > to_timestamp(${takenOver / 1000})`);
    if (Number(late?.n ?? 0) > 0) throw new Error(`the frozen holder wrote ${late?.n} audit rows after losing its lease`);
    return outcome(stage, projectId, final, takenOver - frozenAt);
  });

/** The holder is SIGKILLed mid-merge: another worker reclaims the job after the lease and completes it. */
const killedHolder: Scenario = (adminUrl) =>
  onStage(adminUrl, async (stage) => {
    const first = await stage.startWorker("chaos-killed");
    const second = await stage.startWorker("chaos-survivor");
    await stage.ready(first);
    await stage.ready(second);
    const projectId = await stage.seedDirect(THEMES, COPIES);
    stage.embeddings.setDelay(CHAOS_TIMINGS.embedDelayMs);
    const jobId = await stage.trigger(projectId);
    await stage.inPhase(jobId, "merge");
    const holder = (await stage.job(jobId)).locked_by ?? "chaos-killed";
    stage.kill(holder);
    const killedAt = Date.now();
    const survivor = holder === "chaos-killed" ? "chaos-survivor" : "chaos-killed";
    const takenOver = await waitFor(
      "the survivor to reclaim the job",
      async () => ((await stage.job(jobId)).locked_by === survivor ? Date.now() : undefined),
      CHAOS_TIMINGS.leaseMs * 4,
      50,
    );
    const final = await stage.finished(jobId);
    return outcome(stage, projectId, final, takenOver - killedAt);
  });

/**
 * A rollback through the API while the database connection is cut: the API stays up and answers a
 * clear error or the result; retrying succeeds, and the project equals its state before the job.
 */
const cutMidRollback: Scenario = (adminUrl) =>
  onStage(adminUrl, async (stage) => {
    const worker = await stage.startWorker("chaos-worker");
    const api = await stage.startApi();
    await stage.ready(worker);
    await stage.ready(api);
    const projectId = await stage.seedThroughApi(api, THEMES, COPIES);
    const before = await stage.snapshot(projectId);
    const jobId = await stage.trigger(projectId);
    const final = await stage.finished(jobId);
    const client = apiClient(api.url, CHAOS_TOKEN);
    stage.proxy.stall();
    const first = client.post("/api/v1/consolidation/rollback", { consolidation_id: jobId }).catch((e: unknown) => e);
    await sleep(300);
    stage.proxy.outage(1_000);
    stage.proxy.flow();
    const firstAnswer = await first;
    const back = Date.now() + 1_000;
    const answered = await waitFor(
      "the rollback to succeed",
      async () => {
        const r = await client.post<{ success?: boolean; error?: string }>("/api/v1/consolidation/rollback", {
          consolidation_id: jobId,
        });
        if (r.status === 200) return r.body;
        if (r.status === 409 && r.body.error === "conflict" && /already rolled back/.test(JSON.stringify(r.body))) return r.body;
        if (r.status === 503) return undefined;
        throw new Error(`rollback answered ${r.status} ${JSON.stringify(r.body)} (first: ${JSON.stringify(firstAnswer)})`);
      },
      30_000,
      200,
    );
    const resume = Date.now() - back;
    const after = await stage.snapshot(projectId);
    return {
      exits: stage.unexpectedExits(),
      job_completed: final.status === "completed" && answered != null,
      memories_lost: await stage.memoriesLost(projectId, MEMORIES),
      retries_used: final.retry_count,
      resume_ms: Math.max(0, resume),
      snapshot_equal: JSON.stringify(before) === JSON.stringify(after),
    };
  });

/** Every scenario, by the name `pnpm chaos` prints. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  db_cut_mid_detect: outageDuring("detect", 2_000),
  db_cut_mid_merge: outageDuring("merge", 2_000),
  db_cut_mid_rollback: cutMidRollback,
  db_outage_30s: outageDuring("merge", 30_000),
  db_outage_at_startup: outageAtStartup,
  frozen_holder: frozenHolder,
  sigkill_holder: killedHolder,
};
