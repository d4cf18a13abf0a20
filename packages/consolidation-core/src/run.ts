import { type ConsolidationJob, consolidationJobs, type Database, JobNotFoundError, mergeConsolidationOptions, noopLogger, type Phase, PHASES, ProjectNotFoundError, parseJobScope, projects, isUuid, queryRows, toDate } from "@memcons/models";
import { eq, sql } from "drizzle-orm";
import { type PhaseContext, assertHeld, checkAborted } from "./phase-context.js";
import { jsonb } from "./sql-params.js";
import { createHashingEmbedder } from "./embedding/hashing.js";
import { emptyRows } from "./embedding/rows.js";
import { ConsolidationAbortedError, JobNotRunnableError } from "./errors.js";
import type { StoppedPair } from "./detect/guard.js";
import { runArchive } from "./phases/archive.js";
import { type Candidates, type DetectResult, findClusters, loadCandidates } from "./phases/detect.js";
import { type FinalizeStats, finalizeCandidates } from "./phases/finalize.js";
import { runMerge } from "./phases/merge.js";
import { runPromote } from "./phases/promote.js";
import { runSummarize } from "./phases/summarize.js";
import { SynthesisAhead } from "./phases/synthesis.js";
import { findBorderlineClusters, guardProposals, type ProposalCandidate } from "./review/borderline.js";
import { writePlan } from "./review/plan.js";
import { approvedClusters, judgeProposals, recordProposals } from "./review/record.js";
import { loadScopedWork, type ScopedWork, scopedDetection } from "./review/scoped.js";
import { createExtractiveSynthesizer } from "./synthesis/extractive.js";
import { checkedThreads } from "./threads/threads.js";
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
    return await consolidateJob(db, jobId, deps);
  } catch (error) {
    // Whatever noticed the abort first (an embedder, a fetch), the caller sees one error type.
    if (deps.signal?.aborted && !(error instanceof ConsolidationAbortedError)) {
      throw new ConsolidationAbortedError(jobId, deps.signal.reason);
    }
    throw error;
  }
}

async function consolidateJob(db: Database, jobId: string, deps: RunConsolidationDeps): Promise<ConsolidationResult> {
  const threads = checkedThreads(deps.threads);
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
  const scoped = await loadScopedWork(db, scope);
  // The job's world: memories created up to its first start (kept across resumes and retries).
  const [first] = await queryRows<{ started_at: unknown }>(
    db.orm,
    sql`UPDATE memcons.consolidation_jobs SET started_at = coalesce(started_at, now()) WHERE id = ${jobId}::uuid
        RETURNING started_at`,
  );
  const ctx: PhaseContext = {
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
    threads,
    holder: deps.holder,
    startedAt: toDate(first?.started_at) ?? new Date(),
    sourceTypes: new Map(),
    ...(scoped ? { scopeIds: scoped.memoryIds } : {}),
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
      await queryRows(db.orm, sql`UPDATE memcons.consolidation_jobs SET progress = ${overall} WHERE id = ${jobId}::uuid`);
      await deps.onProgress?.({ jobId, phase, progress: overall, ...(message ? { message } : {}) });
    };
    reported = reported.then(report, report);
    return reported;
  };
  ctx.logger.info({ job_id: jobId, project_id: job.projectId, resumed: completed.size > 0 }, "consolidation started");

  const detection = await detectStep(ctx, completed, scoped, deps, started);
  if ("dryRun" in detection) return detection.dryRun;
  const { candidates, detected } = detection;
  // Merged clusters are synthesized while the merge still writes, when this run goes on to summarize them.
  const ahead =
    enabled.merge && enabled.summarize && !completed.has("merge") && !completed.has("summarize")
      ? new SynthesisAhead(ctx)
      : null;
  let finalized: FinalizeStats | null = null;
  for (const phase of PHASES.slice(1)) {
    // Promotion reads stored vectors only, so the embeddings detection computed are stored first and its matrix let go.
    if (phase === "promote") finalized = await finalizeAndRelease(ctx, candidates);
    if (completed.has(phase)) continue;
    checkAborted(ctx);
    const t0 = Date.now();
    let phaseMetrics: Record<string, unknown> = { skipped: true };
    if (enabled[phase]) {
      currentPhase = phase;
      phaseMetrics = { ...(await runPhase(ctx, phase, detected, scoped, ahead)) };
    }
    await assertHeld(ctx);
    await commitPhase(db, jobId, phase, Date.now() - t0, phaseMetrics);
    ctx.logger.info({ job_id: jobId, project_id: job.projectId, phase, ms: Date.now() - t0, ...phaseMetrics }, "consolidation phase committed");
    completed.add(phase);
    await ctx.progress(phase, 1);
  }
  finalized ??= await finalizeAndRelease(ctx, candidates);
  const finalJob = await loadJob(db, jobId);
  const metrics = await finishMetrics(db, finalJob, candidates.n, Date.now() - started, ctx, finalized);
  ctx.logger.info({ job_id: jobId, project_id: job.projectId, phase: currentPhase, ms: Date.now() - started }, "consolidation finished");
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

/** Marks the examined memories and stores their computed embeddings, then drops the candidates' vectors (no later step reads them). */
async function finalizeAndRelease(ctx: PhaseContext, candidates: Candidates): Promise<FinalizeStats> {
  checkAborted(ctx);
  const stats = await finalizeCandidates(ctx, candidates);
  candidates.vectors = emptyRows(candidates.dims);
  return stats;
}

/** What the phases after detection use of it. */
type DetectedWork = Pick<DetectResult, "candidates" | "clusters">;

/**
 * Loads the candidates and, when a later phase needs them, finds and reviews the clusters and commits the detect phase.
 * Only the candidates and clusters outlive it: the guard's stopped pairs and the review's findings (hundreds of thousands
 * on a large project) are let go before the merge.
 */
async function detectStep(
  ctx: PhaseContext,
  completed: Set<Phase>,
  scoped: ScopedWork | null,
  deps: RunConsolidationDeps,
  started: number,
): Promise<{ candidates: Candidates; detected: DetectedWork | null } | { dryRun: ConsolidationResult }> {
  const { options } = ctx;
  const needsClusters =
    options.dry_run ||
    (options.merge_enabled && !completed.has("merge")) ||
    (!options.merge_enabled && options.summarize_enabled && !completed.has("summarize"));
  let detected: DetectResult | null = null;
  let candidates: Candidates;
  const t0 = Date.now();
  if (needsClusters || !completed.has("detect")) {
    candidates = await loadCandidates(ctx, true);
    checkAborted(ctx);
    detected = scoped ? scopedDetection(candidates, scoped) : await findClusters(ctx, candidates);
  } else {
    candidates = await loadCandidates(ctx, false);
  }
  const review = detected ? await reviewTier(ctx, detected, scoped, deps) : null;
  if (!completed.has("detect") && detected) {
    await assertHeld(ctx);
    const clustered = detected.clusters.reduce((s, c) => s + c.members.length, 0);
    await commitPhase(ctx.db, ctx.jobId, "detect", Date.now() - t0, {
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
      lsh_threads: detected.lsh.threads,
      embedder: ctx.embedder.model,
      embed_ms: detected.candidates.embedMs,
      embed_threads: detected.candidates.embedThreads,
      lsh_ms: detected.lshMs,
      guard_ms: detected.guardMs,
      guard_threads: detected.guardThreads,
      cluster_ms: detected.clusterMs,
      ...(review ? { review: review.metrics } : {}),
    });
    completed.add("detect");
    await ctx.progress("detect", 1, `${detected.clusters.length} clusters among ${detected.candidates.n} memories`);
  }
  if (options.dry_run) return { dryRun: await finishDryRun(ctx, requireDetected(detected), review?.found ?? [], Date.now() - started) };
  return { candidates, detected: detected && { candidates: detected.candidates, clusters: detected.clusters } };
}

async function runPhase(
  ctx: PhaseContext,
  phase: Phase,
  detected: DetectedWork | null,
  scoped: ScopedWork | null,
  ahead: SynthesisAhead | null,
): Promise<object> {
  switch (phase) {
    case "merge":
      return runMerge(ctx, requireDetected(detected).candidates, requireDetected(detected).clusters, ahead);
    case "summarize": {
      const clusters = ctx.options.merge_enabled
        ? null
        : requireDetected(detected).clusters.map((c) => c.members.map((i) => detected?.candidates.ids[i] as string));
      return runSummarize(ctx, clusters, ahead);
    }
    case "archive":
      return runArchive(ctx, scoped?.archive ?? null, detected?.candidates ?? null);
    case "promote":
      return runPromote(ctx);
    default:
      return {};
  }
}

/**
 * The review tier of an ordinary job: finds the borderline sets; unless the job is a dry run, stores them as
 * proposals, lets the judge (when there is one) decide them, and adds the approved ones to the clusters to merge.
 */
async function reviewTier(
  ctx: PhaseContext,
  detected: DetectResult,
  scoped: ScopedWork | null,
  deps: RunConsolidationDeps,
): Promise<{ found: ProposalCandidate[]; metrics: Record<string, unknown> } | null> {
  if (scoped) return null;
  const found = [
    ...guardProposals(detected.candidates, detected.stoppedPairs),
    ...(await findBorderlineClusters(ctx, detected.candidates, detected.clusters)),
  ];
  const counts = { borderline: found.filter((f) => f.reason === "borderline").length, guard: detected.stoppedPairs.length };
  if (ctx.options.dry_run) return { found, metrics: counts };
  const created = await recordProposals(ctx, detected.candidates, found);
  const judged = deps.judge ? await judgeProposals(ctx, deps.judge, detected.candidates, detected.clusters) : null;
  const approved = await approvedClusters(ctx, detected.candidates);
  detected.clusters.push(...approved);
  return {
    found,
    metrics: {
      ...counts,
      proposals_created: created,
      approved_by_judge: approved.length,
      ...(judged ? { judge: { model: deps.judge?.model, ...judged } } : {}),
    },
  };
}

/** Ends a dry run: stores the plan instead of running the phases that change memories. */
async function finishDryRun(
  ctx: PhaseContext,
  detected: DetectResult,
  review: readonly ProposalCandidate[],
  totalMs: number,
): Promise<ConsolidationResult> {
  const plan = await writePlan(ctx, detected, review);
  const metrics = { dry_run: true, plan, total_ms: totalMs, embedder: ctx.embedder.model, synthesizer: ctx.synthesizer.model };
  await ctx.db.rows(
    sql`UPDATE memcons.consolidation_jobs SET metrics = metrics || ${jsonb(JSON.stringify(metrics))}, progress = 1
        WHERE id = ${ctx.jobId}::uuid`,
  );
  const job = await loadJob(ctx.db, ctx.jobId);
  ctx.logger.info({ job_id: ctx.jobId, project_id: ctx.projectId, ...plan }, "dry run planned");
  return {
    jobId: ctx.jobId,
    memories_merged: 0,
    memories_archived: 0,
    memories_promoted: 0,
    summaries_created: 0,
    clusters: plan.clusters,
    phases_completed: job.phasesCompleted as Phase[],
    metrics: job.metrics,
    cancelled: false,
  };
}

/** Counts stopped pairs by the kind of contradiction. */
function countByKind(stopped: readonly StoppedPair[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of stopped) counts[p.reason.kind] = (counts[p.reason.kind] ?? 0) + 1;
  return counts;
}

function requireDetected<T extends DetectedWork>(detected: T | null): T {
  if (!detected) throw new Error("detect results are required but were not computed");
  return detected;
}

async function loadJob(db: Database, jobId: string): Promise<ConsolidationJob> {
  if (!isUuid(jobId)) throw new JobNotFoundError(jobId);
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
  await queryRows(db.orm, sql`UPDATE memcons.consolidation_jobs SET
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
  ctx: PhaseContext,
  finalized: FinalizeStats,
): Promise<Record<string, unknown>> {
  const detect = (job.metrics.detect ?? {}) as { candidates?: number };
  const input = Number(detect.candidates ?? examined);
  const removed = job.memoriesMerged + job.memoriesArchived;
  // Counted from the audit trail (a resumed merge's phase metrics only cover its last run), in one pass over the job's rows.
  const [audit] = await db.rows<{ created: number; rows: number }>(
    sql`SELECT count(*) FILTER (WHERE operation = 'merge' AND previous_state IS NULL)::int AS created,
          count(*) FILTER (WHERE operation <> 'rollback')::int AS rows
        FROM memcons.consolidation_changes WHERE consolidation_job_id = ${job.id}::uuid`,
  );
  const created = Number(audit?.created ?? 0);
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
  await queryRows(db.orm, 
    sql`UPDATE memcons.consolidation_jobs
        SET progress = 1, metrics = metrics || ${jsonb(JSON.stringify({ ...summary, audit_rows: Number(audit?.rows ?? 0) }))}
        WHERE id = ${job.id}::uuid`,
  );
  return { ...job.metrics, ...summary };
}
