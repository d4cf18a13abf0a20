import type {
  ConsolidationJob,
  ConsolidationOptions,
  Database,
  JobScope,
  Logger,
  Phase,
} from "@memcons/models";
import { toDate } from "@memcons/models";
import { type SQL, sql } from "drizzle-orm";
import { ConsolidationAbortedError } from "./errors.js";
import type { Embedder, Synthesizer } from "./types.js";

/** Everything a phase needs to know about the job it runs for. */
export interface JobContext {
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
  /** Restricts the candidates to these memories (a job applying a proposal or a plan). */
  scopeIds?: readonly string[];
  /** Reports progress within a phase (fraction 0..1 of that phase). */
  progress(phase: Phase, fraction: number, message?: string): Promise<void>;
}

/** Throws ConsolidationAbortedError when the job's signal has fired. */
export function checkAborted(ctx: JobContext): void {
  if (ctx.signal?.aborted) throw new ConsolidationAbortedError(ctx.jobId, ctx.signal.reason);
}

/** A uuid[] parameter built from ids. */
export function uuidArray(ids: readonly string[]): SQL {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}

/** A timestamptz parameter. */
export function timestamp(date: Date): SQL {
  return sql`${date.toISOString()}::timestamptz`;
}

/** A jsonb parameter from an already serialized JSON string. */
export function jsonb(text: string): SQL {
  return sql`${text}::jsonb`;
}

/** Rounds a vector to 6 decimals in place (the precision embeddings are stored with); returns it. */
export function roundVector(v: Float32Array): Float32Array {
  for (let i = 0; i < v.length; i++) v[i] = Math.round((v[i] as number) * 1e6) / 1e6;
  return v;
}

/**
 * Rounds a vector to 6 decimals (in place) and renders it as a JSON string holding a PostgreSQL array
 * literal, e.g. "{0.1,-0.02}"; cast with `::real[]` (about twice as fast to parse as a JSON array).
 */
export function vectorJson(v: Float32Array): string {
  // Integers with an exponent ("88388e-6") format much faster than decimals, parse to the same float,
  // and a typed array's native join builds one flat string instead of hundreds of pieces.
  const micro = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const m = Math.round((v[i] as number) * 1e6);
    micro[i] = m;
    v[i] = m / 1e6;
  }
  return v.length === 0 ? '"{}"' : `"{${micro.join("e-6,")}e-6}"`;
}

/** Parses an embedding rendered by array_to_string(…, ',') into a Float32Array. */
export function parseVector(text: string, into: Float32Array, offset: number): void {
  let start = 0;
  let k = offset;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text.charCodeAt(i) === 44) {
      into[k++] = Number(text.slice(start, i));
      start = i + 1;
    }
  }
}

/** Rows of a raw query on the database. */
export function rows<T extends Record<string, unknown>>(ctx: JobContext, query: SQL): Promise<T[]> {
  return ctx.db.rows<T>(query);
}

/**
 * When this job first wrote anything (its earliest audit row), or null for a fresh job. Memories the job
 * created are the consolidated/synthesis ones created since then (one active job per project).
 */
export async function jobEpoch(ctx: JobContext): Promise<Date | null> {
  const [row] = await ctx.db.rows<{ epoch: unknown }>(
    sql`SELECT min(changed_at) AS epoch FROM consolidation_changes WHERE consolidation_job_id = ${ctx.jobId}::uuid`,
  );
  return toDate(row?.epoch);
}

/** Excludes (alias `t`) the memories this job created; a plain predicate, so plans stay index-friendly. */
export function notCreatedByJob(epoch: Date | null): SQL {
  if (!epoch) return sql``;
  return sql`AND NOT (t.memory_type IN ('consolidated', 'synthesis') AND t.created_at >= ${timestamp(epoch)})`;
}

/** Selects the job's candidate memories (alias `t`): active, not duplicates, in scope, not created by this job. */
export function candidateFilter(ctx: JobContext, epoch: Date | null): SQL {
  return sql`t.project_id = ${ctx.projectId}::uuid
    AND t.is_archived = false AND t.is_duplicate = false
    ${ctx.scope.unconsolidated_only ? sql`AND t.is_consolidated = false` : sql``}
    ${ctx.scopeIds ? sql`AND t.id = ANY(${uuidArray(ctx.scopeIds)})` : sql``}
    ${notCreatedByJob(epoch)}`;
}
