import type { ConsolidationJob, ConsolidationOptions, Database, JobScope, Logger, Phase } from "@memcons/models";
import { ConsolidationAbortedError } from "./errors.js";
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
  /** Reports progress within a phase (fraction 0..1 of that phase). */
  progress(phase: Phase, fraction: number, message?: string): Promise<void>;
}

/** Throws ConsolidationAbortedError when the job's signal has fired. */
export function checkAborted(ctx: PhaseContext): void {
  if (ctx.signal?.aborted) throw new ConsolidationAbortedError(ctx.jobId, ctx.signal.reason);
}

/** What the store functions need of a phase: its job, project, actor and embedding model, never its database handle. */
export function writeScope(ctx: PhaseContext): { jobId: string; projectId: string; actor: string; embeddingModel: string } {
  return { jobId: ctx.jobId, projectId: ctx.projectId, actor: ctx.actor, embeddingModel: ctx.embedder.model };
}
