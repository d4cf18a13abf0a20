import type { ConsolidationJob, Database } from "@memcons/models";
import { consolidationJobs } from "@memcons/models";
import { eq, sql } from "drizzle-orm";
import type { ApplicationRequest, Embedder } from "../src/index.js";

const DAY = 86_400_000;

/** Three-dimensional vectors: A1/A2 identical (merge), B1/B2 at 0.8 (borderline), C alone, D stale. */
export const VECTORS: Record<string, [number, number, number]> = {
  a1: [1, 0, 0],
  a2: [1, 0, 0],
  b1: [0, 1, 0],
  b2: [0, 0.8, 0.6],
  c: [0, 0, 1],
  d: [-1, 0, 0],
};

const SUMMARIES: Record<string, string> = {
  a1: "Use port 5432 for the local database.",
  a2: "The local database listens on port 5432.",
  b1: "Run the linter before every commit.",
  b2: "Run the linter before committing code.",
  c: "Invoices are computed in integer cents.",
  d: "The legacy report generator writes into the web root.",
};

/** A three-dimensional embedder for the memories the engine creates; every text maps to A's direction. */
export const tinyEmbedder: Embedder = {
  model: "tiny-3",
  dimensions: 3,
  async embed(texts) {
    return texts.map(() => Float32Array.from([1, 0, 0]));
  },
};

/** Seeds the six memories with their vectors (D learned 200 days ago, never reused); returns ids by key. */
export async function seedReviewFixture(db: Database, projectId: string): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  const now = Date.now();
  for (const [key, vector] of Object.entries(VECTORS)) {
    const learned = new Date(now - (key === "d" ? 200 : 2) * DAY).toISOString();
    const [row] = await db.rows<{ id: string }>(
      sql`INSERT INTO memcons.task_memories (project_id, task_id, memory_type, execution_summary, tags, context_embedding,
            embedding_model, reused_count, learned_at)
          VALUES (${projectId}::uuid, ${key}, 'learning', ${SUMMARIES[key] as string}, ${`{${key}}`}::text[],
            ${`{${vector.join(",")}}`}::real[], 'tiny-3', ${key === "d" ? 0 : 5}, ${learned}::timestamptz)
          RETURNING id`,
    );
    ids[key] = (row as { id: string }).id;
  }
  return ids;
}

/** Queues a job the way the scheduler does: one active job per project, else the active one is returned. */
export function enqueueInto(db: Database) {
  return async (request: ApplicationRequest): Promise<{ job: ConsolidationJob; created: boolean }> => {
    const [inserted] = await db.rows<{ id: string }>(
      sql`INSERT INTO memcons.consolidation_jobs (project_id, trigger_type, options, scope, triggered_by)
          VALUES (${request.projectId}::uuid, 'manual', ${JSON.stringify(request.options)}::jsonb,
            ${JSON.stringify(request.scope)}::jsonb, ${request.triggeredBy})
          ON CONFLICT (project_id, kind) WHERE status IN ('pending', 'running') DO NOTHING
          RETURNING id`,
    );
    const [active] = await db.rows<{ id: string }>(
      sql`SELECT id FROM memcons.consolidation_jobs WHERE project_id = ${request.projectId}::uuid
            AND status IN ('pending', 'running') ORDER BY created_at DESC LIMIT 1`,
    );
    const id = (inserted ?? active)?.id as string;
    const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, id));
    return { job: job as ConsolidationJob, created: inserted !== undefined };
  };
}

/** Proposals of a project, oldest first, as plain rows. */
export async function proposalsOf(db: Database, projectId: string) {
  return db.rows<{ id: string; status: string; reason: string; member_key: string; min_similarity: number; job_id: string }>(
    sql`SELECT id, status, reason, member_key, min_similarity, job_id FROM memcons.consolidation_proposals
        WHERE project_id = ${projectId}::uuid ORDER BY created_at, id`,
  );
}

/** A snapshot row as an object without `search_xid`, which every write restamps (search bookkeeping). */
export function comparable(row: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { search_xid: _stamp, ...rest } = JSON.parse(row as string) as Record<string, unknown>;
  return { ...rest, ...overrides };
}
