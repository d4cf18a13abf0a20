import type { Database } from "@memcons/models";
import { sql } from "drizzle-orm";

const DAY = 86_400_000;

/** A hand-written memory for engine tests. */
export interface FixtureMemory {
  key: string;
  type: string;
  summary: string;
  goal?: string;
  result?: string;
  feedback?: string;
  tags?: string[];
  files?: string[];
  reused?: number;
  ageDays?: number;
  lastReusedDaysAgo?: number | null;
  success?: boolean;
}

const LOGIN = {
  goal: "Make the login endpoint in packages/auth/src/session.ts respond again.",
  result: "Login requests succeed and the auth tests pass.",
  feedback: "Check the session commit path first when logins hang.",
};

/** Three paraphrased error fixes (cluster A), two paraphrased decisions (cluster B), distinct singletons, a stale memory and a cross-type twin. */
export const FIXTURE: FixtureMemory[] = [
  {
    key: "a1", type: "error_fix", ...LOGIN, reused: 5, tags: ["auth", "timeout"], files: ["packages/auth/src/session.ts"],
    summary: "Fixed the login timeout in the auth session service. The root cause was a missing await before the commit. Resolved it by awaiting the session write before returning.",
  },
  {
    key: "a2", type: "error_fix", ...LOGIN, reused: 1, tags: ["auth", "bug"], files: ["packages/auth/src/session.ts", "packages/auth/src/db.ts"],
    summary: "The root cause was a missing await before the commit. Fixed the login timeout in the auth session service. Resolved it by awaiting the session write before returning.",
  },
  {
    key: "a3", type: "error_fix", ...LOGIN, reused: 2, tags: ["auth"], files: ["packages/auth/src/session.ts"], success: false,
    summary: "Resolved the login timeout in the auth session service. The root cause was a missing await before the commit. Resolved it by awaiting the session write before returning. Verified it locally with vitest.",
  },
  {
    key: "b1", type: "decision", reused: 4, tags: ["search", "postgres"], files: ["docs/adr/007-search.md"],
    summary: "Decided to use PostgreSQL full text search for the catalog search instead of Elasticsearch. The main reason was operational simplicity for a small team.",
    goal: "Choose the search backend for the catalog.", result: "The team agreed and recorded it in ADR 7.",
  },
  {
    key: "b2", type: "decision", reused: 0, tags: ["search", "adr"], files: ["docs/adr/007-search.md"],
    summary: "The main reason was operational simplicity for a small team. Chose to use PostgreSQL full text search for the catalog search instead of Elasticsearch.",
    goal: "Choose the search backend for the catalog.", result: "The team agreed and recorded it in ADR 7.",
  },
  {
    key: "b2x", type: "learning", reused: 6, tags: ["search"], files: [],
    summary: "The main reason was operational simplicity for a small team. Chose to use PostgreSQL full text search for the catalog search instead of Elasticsearch.",
    goal: "Choose the search backend for the catalog.", result: "The team agreed and recorded it in ADR 7.",
  },
  {
    key: "s1", type: "learning", reused: 3, tags: ["billing"], files: ["packages/billing/src/invoice.ts"],
    summary: "Learned that invoice totals must be computed in integer cents to avoid floating point rounding errors.",
  },
  {
    key: "s2", type: "warning", reused: 7, tags: ["deploy"], files: [],
    summary: "Never run the schema migration and the code deploy in the same step; ship the migration first.",
  },
  {
    key: "stale", type: "discovery", reused: 0, ageDays: 200, lastReusedDaysAgo: null, tags: ["legacy"], files: ["legacy/report.php"],
    summary: "Discovered that the legacy report generator writes temporary files into the web root.",
  },
  {
    key: "old_but_reused", type: "discovery", reused: 9, ageDays: 300, lastReusedDaysAgo: 200, tags: ["cache"], files: [],
    summary: "The cache warmer reads its key list from the sitemap on every start.",
  },
];

/** Inserts fixture memories into a project; returns their ids by key. */
export async function seedFixture(
  db: Database,
  projectId: string,
  memories: readonly FixtureMemory[] = FIXTURE,
  now = new Date(),
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const m of memories) {
    const learned = new Date(now.getTime() - (m.ageDays ?? 5) * DAY);
    const lastReused = m.lastReusedDaysAgo == null ? null : new Date(now.getTime() - m.lastReusedDaysAgo * DAY);
    const [row] = await db.rows<{ id: string }>(
      sql`INSERT INTO task_memories (project_id, task_id, memory_type, execution_summary, goal, result, feedback,
            tags, file_paths, success, reused_count, last_reused_at, learned_at)
          VALUES (${projectId}::uuid, ${m.key}, ${m.type}, ${m.summary}, ${m.goal ?? null}, ${m.result ?? null},
            ${m.feedback ?? null}, ${`{${(m.tags ?? []).join(",")}}`}::text[], ${`{${(m.files ?? []).join(",")}}`}::text[],
            ${m.success ?? true}, ${m.reused ?? 0}, ${lastReused?.toISOString() ?? null}::timestamptz,
            ${learned.toISOString()}::timestamptz)
          RETURNING id`,
    );
    ids[m.key] = (row as { id: string }).id;
  }
  return ids;
}

/** Full rows (every column but search_xid, the search cache's write stamp, as JSON) of the given memories, keyed by id. */
export async function snapshot(db: Database, ids: readonly string[]): Promise<Map<string, unknown>> {
  const found = await db.rows<{ id: string; row: unknown }>(
    sql`SELECT t.id, (to_jsonb(t) - 'search_xid')::text AS row FROM task_memories t WHERE t.id = ANY(${`{${ids.join(",")}}`}::uuid[]) ORDER BY t.id`,
  );
  return new Map(found.map((r) => [r.id, r.row]));
}

/** One memory row by id. */
export async function memory(db: Database, id: string): Promise<Record<string, unknown>> {
  const [row] = await db.rows<{ row: string }>(sql`SELECT to_jsonb(t)::text AS row FROM task_memories t WHERE t.id = ${id}::uuid`);
  return JSON.parse((row as { row: string }).row) as Record<string, unknown>;
}

/** Marks a job finished the way the scheduler's runner would. */
export async function finishJob(db: Database, jobId: string, completedAt = new Date()): Promise<void> {
  await db.rows(
    sql`UPDATE consolidation_jobs SET status = 'completed', completed_at = ${completedAt.toISOString()}::timestamptz
        WHERE id = ${jobId}::uuid`,
  );
}
