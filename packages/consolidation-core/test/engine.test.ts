import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsolidationProgress,
  type ConsolidationResult,
  cosineSimilarity,
  createHashingEmbedder,
  memoryText,
  normalizeSentence,
  runConsolidation,
  splitSentences,
} from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { FIXTURE, memory, seedFixture } from "./helpers.js";

type Row = Record<string, unknown>;

describe.each(testTargets(process.env.DATABASE_URL))("runConsolidation on $driver", (target) => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ids: Record<string, string>;
  let jobId: string;
  let result: ConsolidationResult;
  const progress: ConsolidationProgress[] = [];
  const byKey = (key: string) => ids[key] as string;

  beforeAll(async () => {
    db = await createTestDatabase(target);
    const projectId = await createProject(db);
    ids = await seedFixture(db, projectId);
    jobId = await createJob(db, projectId, { status: "running", options: { promote_confidence_threshold: 0.6 } });
    result = await runConsolidation(db, jobId, { onProgress: (p) => void progress.push(p), actor: "tester" });
  });
  afterAll(async () => {
    await db?.close();
  });

  const consolidated = async () =>
    db.rows<Row>(sql`SELECT to_jsonb(t) - 'context_embedding' AS r FROM memcons.task_memories t WHERE memory_type = 'consolidated' ORDER BY execution_summary`)
      .then((rows) => rows.map((x) => (typeof x.r === "string" ? JSON.parse(x.r) : x.r) as Row));

  it("detects exactly the tight same-type clusters and records phases, counters and metrics", async () => {
    expect(result.clusters).toBe(2);
    expect(result.phases_completed).toEqual(["detect", "merge", "summarize", "archive", "promote"]);
    expect(result.memories_merged).toBe(5);
    expect(result.summaries_created).toBe(1);
    expect(result.memories_archived).toBe(1);
    const [job] = await db.rows<Row>(sql`SELECT * FROM memcons.consolidation_jobs WHERE id = ${jobId}::uuid`);
    expect(job?.status).toBe("running");
    expect(job?.locked_by).toBeNull();
    expect(job?.memories_merged).toBe(5);
    expect(job?.phases_completed).toEqual(result.phases_completed);
    const metrics = (typeof job?.metrics === "string" ? JSON.parse(job.metrics) : job?.metrics) as Row;
    expect(Object.keys(metrics.phase_ms as Row).sort()).toEqual(["archive", "detect", "merge", "promote", "summarize"]);
    expect(metrics.memories_in).toBe(FIXTURE.length);
    expect(metrics.reduction_ratio).toBeGreaterThan(0);
    expect((metrics.detect as Row).candidates).toBe(FIXTURE.length);
  });

  it("keeps clusters tight: every pair of merged sources is above the threshold", async () => {
    const embedder = createHashingEmbedder();
    for (const c of await consolidated()) {
      const sources = await Promise.all((c.consolidated_from as string[]).map((id) => memory(db, id)));
      const vectors = await embedder.embed(sources.map((s) => memoryText({ executionSummary: s.execution_summary as string, goal: s.goal as string | null, result: s.result as string | null, feedback: s.feedback as string | null })));
      for (let i = 0; i < vectors.length; i++) {
        for (let j = i + 1; j < vectors.length; j++) {
          expect(cosineSimilarity(vectors[i] as Float32Array, vectors[j] as Float32Array)).toBeGreaterThanOrEqual(0.9);
        }
      }
      expect(new Set(sources.map((s) => s.memory_type)).size).toBe(1);
    }
  });

  it("merges each cluster into one consolidated memory that loses nothing", async () => {
    const merged = await consolidated();
    expect(merged).toHaveLength(2);
    const login = merged.find((m) => (m.consolidated_from as string[]).includes(byKey("a1"))) as Row;
    expect([...(login.consolidated_from as string[])].sort()).toEqual([byKey("a1"), byKey("a2"), byKey("a3")].sort());
    expect(login.consolidated_from as string[]).toHaveLength(3);
    expect((login.consolidated_from as string[])[0]).toBe(byKey("a1")); // representative = most reused
    expect(login.task_id).toBe("a1");
    expect(login.reused_count).toBe(5 + 1 + 2);
    expect(login.success).toBe(true);
    expect(login.tags).toEqual(["auth", "timeout", "bug"]);
    expect(login.file_paths).toEqual(["packages/auth/src/session.ts", "packages/auth/src/db.ts"]);
    expect(login.is_consolidated).toBe(true);
    expect(login.consolidated_at).not.toBeNull();
    expect(login.synthesis_confidence).toBeGreaterThan(0);
    const mergedSentences = new Set(splitSentences(memoryText({ executionSummary: login.execution_summary as string, goal: login.goal as string, result: login.result as string, feedback: login.feedback as string })).map(normalizeSentence));
    for (const key of ["a1", "a2", "a3"]) {
      const source = FIXTURE.find((f) => f.key === key);
      for (const sentence of splitSentences(memoryText({ executionSummary: source?.summary ?? "", goal: source?.goal ?? null, result: source?.result ?? null, feedback: source?.feedback ?? null }))) {
        expect(mergedSentences).toContain(normalizeSentence(sentence));
      }
    }
    const [embedding] = await db.rows<{ n: number }>(sql`SELECT cardinality(context_embedding) AS n FROM memcons.task_memories WHERE id = ${login.id as string}::uuid`);
    expect(embedding?.n).toBe(256);
  });

  it("marks sources as duplicates with a version bump and one audit row each", async () => {
    for (const key of ["a1", "a2", "a3", "b1", "b2"]) {
      const m = await memory(db, byKey(key));
      expect(m.is_duplicate).toBe(true);
      expect(m.duplicate_of).not.toBeNull();
      expect(m.version).toBe(2);
      expect(m.is_consolidated).toBe(true);
      const changes = await db.rows<Row>(sql`SELECT operation, previous_state, new_state, changed_by FROM memcons.consolidation_changes WHERE memory_id = ${byKey(key)}::uuid`);
      expect(changes).toHaveLength(1);
      expect(changes[0]?.operation).toBe("merge");
      expect(changes[0]?.changed_by).toBe("tester");
      const prev = (typeof changes[0]?.previous_state === "string" ? JSON.parse(changes[0].previous_state) : changes[0]?.previous_state) as Row;
      expect(prev.version).toBe(1);
      expect(prev.is_duplicate).toBe(false);
      expect(new Date(m.updated_at as string).getTime()).toBeGreaterThan(new Date(prev.updated_at as string).getTime());
    }
  });

  it("never merges across memory types by default", async () => {
    const twin = await memory(db, byKey("b2x"));
    expect(twin.is_duplicate).toBe(false);
    expect(twin.version).toBe(1);
    expect(twin.is_consolidated).toBe(true);
  });

  it("summarizes clusters of 3+ into a synthesis memory with a stored confidence", async () => {
    const rows = await db.rows<Row>(sql`SELECT synthesized_from, synthesis_confidence, needs_review, tags FROM memcons.task_memories WHERE memory_type = 'synthesis'`);
    expect(rows).toHaveLength(1);
    expect([...((rows[0]?.synthesized_from ?? []) as string[])].sort()).toEqual([byKey("a1"), byKey("a2"), byKey("a3")].sort());
    const confidence = Number(rows[0]?.synthesis_confidence);
    expect(confidence).toBeGreaterThan(0);
    expect(rows[0]?.needs_review).toBe(confidence < 0.8);
    const audit = await db.rows<Row>(sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes WHERE operation = 'summarize' AND consolidation_job_id = ${jobId}::uuid`);
    expect(audit[0]?.n).toBe(1);
  });

  it("archives stale, rarely reused memories only", async () => {
    const stale = await memory(db, byKey("stale"));
    expect(stale.is_archived).toBe(true);
    expect(stale.archive_reason).toBe("staleness");
    expect(stale.archived_at).not.toBeNull();
    expect(stale.version).toBe(2);
    const reused = await memory(db, byKey("old_but_reused"));
    expect(reused.is_archived).toBe(false);
    const fresh = await memory(db, byKey("s1"));
    expect(fresh.is_archived).toBe(false);
  });

  it("promotes confident, reviewed memories to the playbook with category, priority and support", async () => {
    const entries = await db.rows<Row>(sql`SELECT * FROM memcons.playbook_entries`);
    const promoted = await db.rows<Row>(sql`SELECT id, synthesis_confidence, needs_review FROM memcons.task_memories
      WHERE memory_type IN ('consolidated', 'synthesis') AND synthesis_confidence >= 0.6 AND needs_review = false`);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThanOrEqual(promoted.length);
    expect(result.memories_promoted).toBe(entries.length);
    for (const e of entries) {
      expect(e.source_job_id).toBe(jobId);
      expect(["error_fix", "decision"]).toContain(e.category);
      expect(Number(e.priority)).toBeGreaterThanOrEqual(60);
      expect((e.supporting_memory_ids as string[]).length).toBeGreaterThan(1);
    }
    const audits = await db.rows<Row>(sql`SELECT count(*)::int AS n FROM memcons.consolidation_changes WHERE operation = 'promote'`);
    expect(audits[0]?.n).toBe(entries.length);
  });

  it("marks every examined memory as consolidated and reports monotonic progress", async () => {
    const left = await db.rows<Row>(sql`SELECT count(*)::int AS n FROM memcons.task_memories WHERE is_consolidated = false`);
    expect(left[0]?.n).toBe(0);
    const unembedded = await db.rows<Row>(sql`SELECT count(*)::int AS n FROM memcons.task_memories WHERE cardinality(context_embedding) IS DISTINCT FROM 256`);
    expect(unembedded[0]?.n).toBe(0);
    const values = progress.map((p) => p.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBe(1);
    expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(["detect", "merge", "summarize", "archive", "promote"]));
    expect(progress.every((p) => p.jobId === jobId)).toBe(true);
  });
});
