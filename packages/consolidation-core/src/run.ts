import {
  type ConsolidationJob,
  consolidationJobs,
  type Database,
  JobNotFoundError,
  mergeConsolidationOptions,
  noopLogger,
  type Phase,
  PHASES,
  ProjectNotFoundError,
  parseJobScope,
  projects,
} from "@memcons/models";
import { eq, sql } from "drizzle-orm";
import { type JobContext, checkAborted, jsonb } from "./context.js";
import { createHashingEmbedder } from "./embedding/hashing.js";
import { ConsolidationAbortedError, JobNotRunnableError } from "./errors.js";
import type { StoppedPair } from "./detect/guard.js";
import { runArchive } from "./phases/archive.js";
import { type Candidates, type DetectResult, findClusters, loadCandidates } from "./phases/detect.js";
import { type FinalizeStats, finalizeCandidates } from "./phases/finalize.js";
import { runMerge } from "./phases/merge.js";
import { runPromote } from "./phases/promote.js";
import { runSummarize } from "./phases/summarize.js";
import { createExtractiveSynthesizer } from "./synthesis/extractive.js";
import type { ConsolidationResult, RunConsolidationDeps } from "./types.js";

/** Stopped pairs listed in the detect metrics (all of them are counted). */
const GUARD_EXAMPLES = 10;

/** Share of the overall progress each phase accounts for. */
const PHASE_WEIGHT: Record<Phase, number> = { detect: 0.35, merge: 0.35, summarize: 0.1, archive: 0.1, promote: 0.1 };

/** Runs the phases of a pending or running job; never changes its status or lease, resumes finished phases. */
export async function runConsolidation(
  db: Database,
  jobId: string,
  deps: RunConsolidationDeps = {},
): Promise<ConsolidationResult> {
  try {
    return await runJob(db, jobId, deps);
  } catch (error) {
    // Whatever noticed the abort first (an embedder, a fetch), the caller sees one error type.
    if (deps.signal?.aborted && !(error instanceof ConsolidationAbortedError)) {
      throw new ConsolidationAbortedError(jobId, deps.signal.reason);
    }
    throw error;
  }
}

async function runJob(db: Database, jobId: string, deps: RunConsolidationDeps): Promise<ConsolidationResult> {
  const job = await loadJob(db, jobId);
  if (job.status !== "pending" && job.status !== "running") throw new JobNotRunnableError(jobId, job.status);
  const [project] = await db.orm.select().from(projects).where(eq(projects.id, job.projectId));
  if (!project) throw new ProjectNotFoundError(job.projectId);
  const options = mergeConsolidationOptions(project.consolidationOptions, job.options);
  const scope = parseJobScope(job.scope);
  const completed = new Set<Phase>(job.phasesCompleted as Phase[]);
  const enabled: Record<Phase, boolean> = {
    detect: true,
    merge: options.merge_enabled,
    summarize: options.summarize_enabled,
    archive: options.archive_enabled,
    promote: options.promote_enabled,
  };
  const started = Date.now();
  const ctx: JobContext = {
    db,
    job,
    jobId,
    projectId: job.projectId,
    options,
    scope,
    embedder: deps.embedder ?? createHashingEmbedder(),
    synthesizer: deps.synthesizer ?? createExtractiveSynthesizer(),
    signal: deps.signal,
    now: deps.now ?? (() => new Date()),
    logger: deps.logger ?? noopLogger,
    actor: deps.actor ?? job.triggeredBy,
    batchSize: Math.max(1, deps.batchSize ?? 200),
    progress: async () => {},
  };
  let currentPhase: Phase = "detect";
  let lastProgress = Number(job.progress) || 0;
  // Reports are chained so concurrent batches still write and report progress in increasing order.
  let reported: Promise<void> = Promise.resolve();
  ctx.progress = (phase, fraction, message) => {
    currentPhase = phase;
    const before = PHASES.slice(0, PHASES.indexOf(phase)).reduce((s, p) => s + PHASE_WEIGHT[p], 0);
    const overall = Math.min(1, Math.max(lastProgress, Math.round((before + PHASE_WEIGHT[phase] * fraction) * 10_000) / 10_000));
    lastProgress = overall;
    const report = async () => {
      await db.rows(sql`UPDATE consolidation_jobs SET progress = ${overall} WHERE id = ${jobId}::uuid`);
      await deps.onProgress?.({ jobId, phase, progress: overall, ...(message ? { message } : {}) });
    };
    reported = reported.then(report, report);
    return reported;
  };
  ctx.logger.info({ jobId, projectId: job.projectId, resumed: completed.size > 0 }, "consolidation started");

  const needsClusters =
    (enabled.merge && !completed.has("merge")) ||
    (!enabled.merge && enabled.summarize && !completed.has("summarize"));
  let detected: DetectResult | null = null;
  let candidates: Candidates;
  let t0 = Date.now();
  if (needsClusters || !completed.has("detect")) {
    candidates = await loadCandidates(ctx, true);
    checkAborted(ctx);
    detected = await findClusters(ctx, candidates);
  } else {
    candidates = await loadCandidates(ctx, false);
  }
  if (!completed.has("detect") && detected) {
    const clustered = detected.clusters.reduce((s, c) => s + c.members.length, 0);
    await commitPhase(db, jobId, "detect", Date.now() - t0, {
      candidates: detected.candidates.n,
      embedded: detected.candidates.embedded,
      clusters: detected.clusters.length,
      clustered_memories: clustered,
      similar_pairs: detected.similarPairs,
      guard_stopped_pairs: detected.stoppedPairs.length,
      guard_stopped_by_kind: countByKind(detected.stoppedPairs),
      guard_examples: detected.stoppedPairs.slice(0, GUARD_EXAMPLES).map((p) => ({
        ids: p.ids,
        similarity: Math.round(p.similarity * 1000) / 1000,
        reason: p.reason,
      })),
      pair_search: detected.method,
      lsh_bucket_pairs: detected.lsh.bucketPairs,
      lsh_verified_pairs: detected.lsh.verifiedPairs,
      embedder: ctx.embedder.model,
      embed_ms: detected.candidates.embedMs,
      lsh_ms: detected.lshMs,
      guard_ms: detected.guardMs,
      cluster_ms: detected.clusterMs,
    });
    completed.add("detect");
    await ctx.progress("detect", 1, `${detected.clusters.length} clusters among ${detected.candidates.n} memories`);
  }
  for (const phase of PHASES.slice(1)) {
    if (completed.has(phase)) continue;
    checkAborted(ctx);
    t0 = Date.now();
    let phaseMetrics: Record<string, unknown> = { skipped: true };
    if (enabled[phase]) {
      currentPhase = phase;
      phaseMetrics = { ...(await runPhase(ctx, phase, detected)) };
    }
    await commitPhase(db, jobId, phase, Date.now() - t0, phaseMetrics);
    ctx.logger.info({ jobId, phase, ms: Date.now() - t0, ...phaseMetrics }, "consolidation phase committed");
    completed.add(phase);
    await ctx.progress(phase, 1);
  }
  const finalized = await finalizeCandidates(ctx, candidates);
  const finalJob = await loadJob(db, jobId);
  const metrics = await finishMetrics(db, finalJob, candidates.n, Date.now() - started, ctx, finalized);
  ctx.logger.info({ jobId, phase: currentPhase, ms: Date.now() - started }, "consolidation finished");
  return {
    jobId,
    memories_merged: finalJob.memoriesMerged,
    memories_archived: finalJob.memoriesArchived,
    memories_promoted: finalJob.memoriesPromoted,
    summaries_created: finalJob.summariesCreated,
    clusters: Number((metrics.detect as { clusters?: number } | undefined)?.clusters ?? 0),
    phases_completed: finalJob.phasesCompleted as Phase[],
    metrics,
    cancelled: false,
  };
}

async function runPhase(ctx: JobContext, phase: Phase, detected: DetectResult | null): Promise<object> {
  switch (phase) {
    case "merge":
      return runMerge(ctx, requireDetected(detected).candidates, requireDetected(detected).clusters);
    case "summarize": {
      const clusters = ctx.options.merge_enabled
        ? null
        : requireDetected(detected).clusters.map((c) => c.members.map((i) => detected?.candidates.ids[i] as string));
      return runSummarize(ctx, clusters);
    }
    case "archive":
      return runArchive(ctx);
    case "promote":
      return runPromote(ctx);
    default:
      return {};
  }
}

/** Counts stopped pairs by the kind of contradiction. */
function countByKind(stopped: readonly StoppedPair[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of stopped) counts[p.reason.kind] = (counts[p.reason.kind] ?? 0) + 1;
  return counts;
}

function requireDetected(detected: DetectResult | null): DetectResult {
  if (!detected) throw new Error("detect results are required but were not computed");
  return detected;
}

async function loadJob(db: Database, jobId: string): Promise<ConsolidationJob> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(jobId)) throw new JobNotFoundError(jobId);
  const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId));
  if (!job) throw new JobNotFoundError(jobId);
  return job;
}

/** Records a finished phase: appends it to phases_completed and merges its metrics and timing. */
async function commitPhase(
  db: Database,
  jobId: string,
  phase: Phase,
  ms: number,
  metrics: Record<string, unknown>,
): Promise<void> {
  await db.rows(sql`UPDATE consolidation_jobs SET
      phases_completed = CASE WHEN ${phase} = ANY(phases_completed) THEN phases_completed
                              ELSE array_append(phases_completed, ${phase}::text) END,
      metrics = metrics
        || jsonb_build_object('phase_ms', coalesce(metrics->'phase_ms', '{}'::jsonb) || jsonb_build_object(${phase}::text, ${ms}::int))
        || jsonb_build_object(${phase}::text, ${jsonb(JSON.stringify(metrics))})
      WHERE id = ${jobId}::uuid`);
}

async function finishMetrics(
  db: Database,
  job: ConsolidationJob,
  examined: number,
  totalMs: number,
  ctx: JobContext,
  finalized: FinalizeStats,
): Promise<Record<string, unknown>> {
  const detect = (job.metrics.detect ?? {}) as { candidates?: number };
  const input = Number(detect.candidates ?? examined);
  const removed = job.memoriesMerged + job.memoriesArchived;
  const created = Number((job.metrics.merge as { consolidated_created?: number } | undefined)?.consolidated_created ?? 0);
  const output = Math.max(0, input - removed + created + job.summariesCreated);
  const summary = {
    memories_in: input,
    memories_out: output,
    reduction_ratio: input > 0 ? Math.round(((input - output) / input) * 10_000) / 10_000 : 0,
    total_ms: totalMs,
    finalize: finalized,
    embedder: ctx.embedder.model,
    synthesizer: ctx.synthesizer.model,
  };
  await db.rows(
    sql`UPDATE consolidation_jobs SET metrics = metrics || ${jsonb(JSON.stringify(summary))}, progress = 1
        WHERE id = ${job.id}::uuid`,
  );
  return { ...job.metrics, ...summary };
}
