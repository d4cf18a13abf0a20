// Promotion takes candidates in an order that depends on the memories alone, not on their random ids: two projects
// holding the same memories under different ids get the same playbook. Equivalence is not transitive (A~B and B~C
// while A≁C), so the order decides which entries a chain of near-equivalent memories yields.
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHashingEmbedder, runConsolidation } from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

const A = "configure the postgres connection pool with a larger idle timeout before starting the worker process on staging servers every morning";
const B = A.replace("postgres", "mysql");
const C = B.replace("staging", "production");
const ONLY_PROMOTE = { merge_enabled: false, summarize_enabled: false, archive_enabled: false };

/** Stores A, B and C as consolidated memories (same confidence and evidence) under the given ids, in that order. */
async function seedChain(db: Db, projectId: string, ids: [string, string, string]): Promise<void> {
  for (const [k, text] of [A, B, C].entries()) {
    const [source] = await db.rows<{ id: string }>(
      sql`INSERT INTO memcons.task_memories (project_id, memory_type, execution_summary, is_archived, archived_at, archive_reason)
          VALUES (${projectId}::uuid, 'decision', ${text}, true, now(), 'manual') RETURNING id::text`,
    );
    await db.rows(
      sql`INSERT INTO memcons.task_memories (id, project_id, memory_type, execution_summary, synthesis_confidence,
            consolidated_from, consolidated_at, is_consolidated, learned_at)
          VALUES (${ids[k]}::uuid, ${projectId}::uuid, 'consolidated', ${text}, 0.95, ARRAY[${source?.id}::uuid], now(), true,
            '2026-01-01T00:00:00Z')`,
    );
  }
}

async function playbook(db: Db, projectId: string): Promise<string[]> {
  const rows = await db.rows<{ content: string }>(
    sql`SELECT content FROM memcons.playbook_entries WHERE project_id = ${projectId}::uuid ORDER BY content`,
  );
  return rows.map((r) => r.content);
}

describe.each(testTargets(process.env.DATABASE_URL))("promotion order on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("the texts form a chain: A~B and B~C at the default threshold, A≁C", async () => {
    const [a, b, c] = (await createHashingEmbedder().embed([A, B, C])) as [Float32Array, Float32Array, Float32Array];
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * (y[i] as number), 0);
    expect(dot(a, b)).toBeGreaterThanOrEqual(0.9);
    expect(dot(b, c)).toBeGreaterThanOrEqual(0.9);
    expect(dot(a, c)).toBeLessThan(0.9);
  });

  it("is the same whichever ids the memories have", { timeout: 60_000 }, async () => {
    // The middle of the chain has the lowest id in the first project, an end of it in the second.
    const first = await createProject(db);
    await seedChain(db, first, ["20000000-0000-4000-8000-000000000000", "10000000-0000-4000-8000-000000000000", "30000000-0000-4000-8000-000000000000"]);
    const second = await createProject(db);
    await seedChain(db, second, ["40000000-0000-4000-8000-000000000000", "60000000-0000-4000-8000-000000000000", "50000000-0000-4000-8000-000000000000"]);
    const one = await runConsolidation(db, await createJob(db, first, { options: ONLY_PROMOTE }));
    const two = await runConsolidation(db, await createJob(db, second, { options: ONLY_PROMOTE }));
    expect(one.memories_promoted).toBeGreaterThan(0);
    expect(two.memories_promoted).toBe(one.memories_promoted);
    expect(await playbook(db, second)).toEqual(await playbook(db, first));
  });
});
