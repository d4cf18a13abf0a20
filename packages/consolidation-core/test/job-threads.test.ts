// From 20,000 memories a job embeds, searches pairs and guards them on worker threads, with the worker scripts the
// package ships; so this test runs jobs with the built package.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { ValidationError } from "@memcons/models";
import { type TestDatabase, createTestDatabase, preferredTarget } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConsolidation } from "../dist/index.js";
import { createJob, createProject, generateMemories, insertMemories } from "../dist/testing.js";

describe("a job on worker threads (built package)", () => {
  // One database per job: the generated memories have fixed ids.
  let db: TestDatabase;
  let other: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(preferredTarget(process.env.DATABASE_URL));
    other = await createTestDatabase(preferredTarget(process.env.DATABASE_URL));
  });
  afterAll(async () => {
    await db.close();
    await other.close();
  });

  /** A digest of the embeddings stored for a project's own memories (not the ones a job created). */
  const embeddingDigest = async (db: TestDatabase, projectId: string) => {
    const [row] = await db.rows<{ stored: number; digest: string }>(
      sql`SELECT count(*)::int AS stored, md5(string_agg(context_embedding::text, ';' ORDER BY context_embedding::text)) AS digest
          FROM memcons.task_memories
          WHERE project_id = ${projectId} AND context_embedding IS NOT NULL AND memory_type NOT IN ('consolidated', 'synthesis')`,
    );
    return row;
  };

  it("stores the same embeddings and merges the same memories as a job on one thread", async () => {
    const memories = generateMemories({ count: 20_000, seed: 5, now: new Date("2026-06-01T00:00:00Z") });
    const threadedProject = await createProject(db, { name: "threaded" });
    const singleProject = await createProject(other, { name: "single" });
    await insertMemories(db, threadedProject, memories);
    await insertMemories(other, singleProject, memories);
    const threaded = await runConsolidation(db, await createJob(db, threadedProject));
    const single = await runConsolidation(other, await createJob(other, singleProject), { threads: 1 });
    const threadsOf = (result: typeof threaded) => {
      const detect = (result.metrics as { detect: Record<string, unknown> }).detect;
      return { embed: detect.embed_threads, lsh: detect.lsh_threads, guard: detect.guard_threads };
    };
    const cores = Math.min(4, availableParallelism());
    expect(threadsOf(threaded)).toEqual({ embed: cores, lsh: cores, guard: cores });
    expect(threadsOf(single)).toEqual({ embed: 1, lsh: 1, guard: 1 });
    const counters = (result: typeof threaded) => ({
      clusters: result.clusters,
      merged: result.memories_merged,
      summaries: result.summaries_created,
      archived: result.memories_archived,
      promoted: result.memories_promoted,
    });
    expect(counters(threaded).merged).toBeGreaterThan(1_000);
    expect(counters(threaded)).toEqual(counters(single));
    const digest = await embeddingDigest(db, threadedProject);
    expect(digest?.stored).toBe(20_000);
    expect(digest).toEqual(await embeddingDigest(other, singleProject));
  }, 300_000);

  it("refuses a thread limit that is not a positive integer before touching the job", async () => {
    const project = await createProject(db, { name: "bad threads" });
    const job = await createJob(db, project);
    for (const threads of [0, -2, 2.5, Number.NaN]) {
      await expect(runConsolidation(db, job, { threads })).rejects.toBeInstanceOf(ValidationError);
    }
    const [row] = await db.rows<{ started_at: unknown; phases: string[] }>(
      sql`SELECT started_at, phases_completed AS phases FROM memcons.consolidation_jobs WHERE id = ${job}`,
    );
    expect(row).toEqual({ started_at: null, phases: [] });
  });

  it("stops its threads when aborted mid-detection: the process exits by itself", () => {
    const script = fileURLToPath(new URL("./fixtures/abort-on-threads.mjs", import.meta.url));
    const result = spawnSync(process.execPath, [script, process.env.DATABASE_URL ?? ""], { timeout: 120_000, encoding: "utf8" });
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("ConsolidationAbortedError\nConsolidationAbortedError\n");
    expect(result.status).toBe(0);
  }, 150_000);
});
