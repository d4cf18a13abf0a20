import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsolidationResult, createHashingEmbedder, runConsolidation } from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { type FixtureMemory, seedFixture } from "./helpers.js";

const PORT = "The integration tests talk to the database server on port 5432 of the CI runner; the connection string is in the workflow file.";
const TIMEOUT = "Set the request timeout of the payments client to 30 s so slow card checks finish before the gateway gives up on them.";
const RETRY = "Retry the webhook delivery when the receiver answers with a 503 status, using exponential backoff with jitter between attempts.";

/** Near-identical agent memories that differ by one number or one negation, plus one true duplicate pair. */
const MEMORIES: FixtureMemory[] = [
  { key: "port_a", type: "learning", summary: PORT },
  { key: "port_b", type: "learning", summary: PORT.replace("The integration tests", "Integration tests") },
  { key: "port_other", type: "learning", summary: PORT.replace("5432", "5433") },
  { key: "timeout", type: "decision", summary: TIMEOUT },
  { key: "timeout_other", type: "decision", summary: TIMEOUT.replace("30 s", "300 s") },
  { key: "retry", type: "warning", summary: RETRY },
  { key: "retry_never", type: "warning", summary: `Never ${RETRY[0]?.toLowerCase()}${RETRY.slice(1)}` },
];

describe.each(testTargets(process.env.DATABASE_URL))("contradiction guard in detect on $driver", (target) => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ids: Record<string, string>;
  let result: ConsolidationResult;

  beforeAll(async () => {
    db = await createTestDatabase(target);
    const projectId = await createProject(db);
    ids = await seedFixture(db, projectId, MEMORIES);
    const jobId = await createJob(db, projectId, { status: "running", options: { summarize_enabled: false, archive_enabled: false } });
    result = await runConsolidation(db, jobId, { embedder: createHashingEmbedder() });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("finds the contradicting pairs similar enough to merge without the guard", async () => {
    const embedder = createHashingEmbedder();
    const texts = MEMORIES.map((m) => m.summary);
    const v = await embedder.embed(texts);
    const dot = (i: number, j: number) => (v[i] as Float32Array).reduce((s, x, k) => s + x * ((v[j] as Float32Array)[k] as number), 0);
    expect(dot(0, 2)).toBeGreaterThanOrEqual(0.9);
    expect(dot(3, 4)).toBeGreaterThanOrEqual(0.9);
    expect(dot(5, 6)).toBeGreaterThanOrEqual(0.9);
  });

  it("merges the true duplicates and never the pairs the guard separates", async () => {
    expect(result.clusters).toBe(1);
    const rows = await db.rows<{ task_id: string; duplicate_of: string | null }>(
      sql`SELECT task_id, duplicate_of::text FROM task_memories WHERE memory_type <> 'consolidated' ORDER BY task_id`,
    );
    const merged = rows.filter((r) => r.duplicate_of !== null).map((r) => r.task_id);
    expect(merged.sort()).toEqual(["port_a", "port_b"]);
  });

  it("reports every stopped pair with its ids, similarity and reason", async () => {
    const detect = result.metrics.detect as {
      guard_stopped_pairs: number;
      guard_stopped_by_kind: Record<string, number>;
      guard_examples: Array<{ ids: string[]; similarity: number; reason: { kind: string; a: string; b: string } }>;
    };
    // port_other is stopped against both port_a and port_b.
    expect(detect.guard_stopped_pairs).toBe(4);
    expect(detect.guard_stopped_by_kind).toEqual({ port: 2, duration: 1, negation: 1 });
    const timeout = detect.guard_examples.find((e) => e.reason.kind === "duration");
    expect(new Set(timeout?.ids)).toEqual(new Set([ids.timeout, ids.timeout_other]));
    expect(timeout?.similarity).toBeGreaterThanOrEqual(0.9);
    expect(timeout?.reason).toMatchObject({ a: expect.stringMatching(/^30{1,2} s$/), b: expect.stringMatching(/^30{1,2} s$/) });
  });
});
