// A playbook entry carries its memory's stored embedding when that embedding is of the job's model, and the
// embedder's vector of the entry's text when it is not (promotion reads the candidates' vectors page by page).
import { roundVector } from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHashingEmbedder, runConsolidation } from "../src/index.js";
import { PROMOTION_ORDER } from "../src/phases/promote.js";
import { createJob, createProject, generateMemories, insertMemories } from "../src/testing/index.js";
import { finishJob } from "./helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

describe.each(testTargets(process.env.DATABASE_URL))("playbook entry embeddings on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("are the memory's stored vector, or the text's vector when the stored one is of another model", { timeout: 60_000 }, async () => {
    const projectId = await createProject(db);
    await insertMemories(db, projectId, generateMemories({ count: 300, seed: 33, now: new Date() }));
    const firstId = await createJob(db, projectId, { options: { promote_enabled: false } });
    await runConsolidation(db, firstId);
    await finishJob(db, firstId);
    // The first candidate in promotion order (always promoted: no entry exists yet) now claims another model for its
    // stored vector, which points elsewhere: it must not be used.
    const [foreign] = await db.rows<{ id: string }>(
      sql`UPDATE memcons.task_memories SET embedding_model = 'other-model', context_embedding = array_fill(0.0625::real, ARRAY[256])
          WHERE id = (SELECT t.id FROM memcons.task_memories t WHERE project_id = ${projectId}::uuid AND memory_type IN ('consolidated', 'synthesis')
                      AND synthesis_confidence >= 0.85 AND NOT is_duplicate AND NOT is_archived AND NOT needs_review
                      ORDER BY ${PROMOTION_ORDER} LIMIT 1)
          RETURNING id`,
    );
    expect(foreign).toBeDefined();
    const second = await runConsolidation(db, await createJob(db, projectId));
    expect(second.memories_promoted).toBeGreaterThan(0);
    const entries = await db.rows<{ memory_id: string; content: string; entry: string; stored: string }>(
      sql`SELECT m.id AS memory_id, p.content, array_to_string(p.embedding, ',') AS entry, array_to_string(m.context_embedding, ',') AS stored
          FROM memcons.playbook_entries p JOIN memcons.task_memories m ON m.id = p.supporting_memory_ids[1]
          WHERE p.project_id = ${projectId}::uuid`,
    );
    expect(entries.length).toBe(second.memories_promoted);
    const embedder = createHashingEmbedder();
    const recomputed = entries.find((e) => e.memory_id === foreign?.id);
    expect(recomputed).toBeDefined();
    const [expected] = await embedder.embed([recomputed?.content ?? ""]);
    const actual = (recomputed?.entry ?? "").split(",").map(Number);
    const want = Array.from(roundVector(expected as Float32Array));
    for (const [k, x] of actual.entries()) expect(x).toBeCloseTo(want[k] as number, 5);
    for (const entry of entries) {
      if (entry.memory_id === foreign?.id) continue;
      expect(entry.entry).toBe(entry.stored);
    }
  });
});
