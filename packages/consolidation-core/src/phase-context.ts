import type { ConsolidationJob, ConsolidationOptions, Database, JobScope, Logger, Phase } from "@memcons/models";
import { type Executor, queryRows } from "@memcons/models";
import { sql } from "drizzle-orm";
import { BackgroundWriter } from "./background.js";
import { ConsolidationAbortedError, LeaseNotHeldError } from "./errors.js";
import type { Embedder, Synthesizer } from "./types.js";

/** Everything a phase needs to know about the job it runs for. */
export interface PhaseContext {
  db: Database;
  job: ConsolidationJob;
  jobId: string;
  projectId: string;
  options: ConsolidationOptions;
  scope: JobScope;
  embedder: Embedder;
  synthesizer: Synthesizer;
  signal: AbortSignal | undefined;
  now: () => Date;
  logger: Logger;
  actor: string;
  batchSize: number;
  /** The `threads` limit the job was given (undefined: the default). */
  threads: number | undefined;
  /** The worker that must hold the job's lease for the job to write (undefined: no check). */
  holder: string | undefined;
  /** When the job first started: it only touches memories created up to then, across resumes. */
  startedAt: Date;
  /** Restricts the candidates to these memories (a job applying a proposal or a plan). */
  scopeIds?: readonly string[];
  /**
   * The memory type shared by every source of each memory this run created and committed (merge, summarize);
   * absent when the sources' types differ. Promotion reads a category from it instead of the sources' rows.
   */
  sourceTypes: Map<string, string>;
  /** Reports progress within a phase (fraction 0..1 of that phase). */
  progress(phase: Phase, fraction: number, message?: string): Promise<void>;
}

/** The type all of `types` share, or null when they differ (or there are none). */
export function sharedType(types: readonly string[]): string | null {
  const [first] = types;
  return first !== undefined && types.every((t) => t === first) ? first : null;
}

/** Throws ConsolidationAbortedError when the job's signal has fired. */
export function checkAborted(ctx: PhaseContext): void {
  if (ctx.signal?.aborted) throw new ConsolidationAbortedError(ctx.jobId, ctx.signal.reason);
}

/**
 * Writes `items` in batches of `size`, two batches at once (separate transactions) where the database allows
 * it, and reports the phase's progress after each batch; rethrows the first failure once started batches end.
 */
export async function writeInLanes<T>(
  ctx: PhaseContext,
  phase: Phase,
  items: readonly T[],
  size: number,
  write: (batch: T[]) => Promise<void>,
): Promise<void> {
  const lanes = new BackgroundWriter(ctx.db.supportsConcurrency ? 2 : 1);
  let done = 0;
  await lanes.drain(async () => {
    for (let start = 0; start < items.length; start += size) {
      await lanes.slot();
      checkAborted(ctx);
      const batch = items.slice(start, start + size);
      lanes.start(async () => {
        await write(batch);
        done += batch.length;
        await ctx.progress(phase, Math.min(1, done / items.length));
      });
    }
  });
}

/** Throws LeaseNotHeldError unless the job's holder still holds an unexpired lease on it. */
export async function assertHeld(ctx: PhaseContext, executor: Executor = ctx.db.orm): Promise<void> {
  if (!ctx.holder) return;
  const held = await queryRows<{ held: number }>(
    executor,
    sql`SELECT 1 AS held FROM memcons.consolidation_jobs WHERE id = ${ctx.jobId}::uuid AND locked_by = ${ctx.holder}
          AND status = 'running' AND locked_until > now()`,
  );
  if (held.length === 0) throw new LeaseNotHeldError(ctx.jobId, ctx.holder);
}

/** What the store functions need of a phase: its job, project, actor and embedding model, never its database handle. */
export function writeScope(ctx: PhaseContext): { jobId: string; projectId: string; actor: string; embeddingModel: string } {
  return { jobId: ctx.jobId, projectId: ctx.projectId, actor: ctx.actor, embeddingModel: ctx.embedder.model };
}
