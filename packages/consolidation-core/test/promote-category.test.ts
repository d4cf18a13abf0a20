// A playbook entry's category is the most frequent memory type among its memory's sources, whether the job that
// promotes it created that memory (it knows the sources' type) or an earlier job did (it reads the sources).
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConsolidation } from "../src/index.js";
import { createJob, createProject, generateMemories, insertMemories } from "../src/testing/index.js";
import { finishJob } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

/** Each of the project's entries: its category and the mode of its memory's sources' types, read from the rows. */
async function entryCategories(db: Db, projectId: string): Promise<Array<{ category: string; expected: string | null; kind: string }>> {
  return db.rows(
    sql`SELECT p.category, m.memory_type AS kind,
          (SELECT mode() WITHIN GROUP (ORDER BY s.memory_type) FROM memcons.task_memories s
            WHERE s.id = ANY(m.consolidated_from || m.synthesized_from)) AS expected
        FROM memcons.playbook_entries p JOIN memcons.task_memories m ON m.id = p.supporting_memory_ids[1]
        WHERE p.project_id = ${projectId}::uuid`,
  );
}

describe.each(testTargets(process.env.DATABASE_URL))("playbook entry categories on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("are the sources' most frequent type for memories the promoting job created", { timeout: 60_000 }, async () => {
    const projectId = await createProject(db);
    await insertMemories(db, projectId, generateMemories({ count: 300, seed: 31, now: new Date() }));
    const result = await runConsolidation(db, await createJob(db, projectId));
    expect(result.memories_promoted).toBeGreaterThan(0);
    const entries = await entryCategories(db, projectId);
    expect(entries.length).toBe(result.memories_promoted);
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set(["consolidated", "synthesis"]));
    for (const entry of entries) expect(entry.category).toBe(entry.expected);
  });

  it("are the sources' most frequent type for memories an earlier job created", { timeout: 60_000 }, async () => {
    const projectId = await createProject(db);
    await insertMemories(db, projectId, generateMemories({ count: 300, seed: 32, now: new Date() }));
    const firstId = await createJob(db, projectId, { options: { promote_enabled: false } });
    const first = await runConsolidation(db, firstId);
    expect(first.memories_promoted).toBe(0);
    await finishJob(db, firstId);
    const second = await runConsolidation(db, await createJob(db, projectId));
    expect(second.memories_promoted).toBeGreaterThan(0);
    const entries = await entryCategories(db, projectId);
    expect(entries.length).toBe(second.memories_promoted);
    for (const entry of entries) expect(entry.category).toBe(entry.expected);
  });
});
