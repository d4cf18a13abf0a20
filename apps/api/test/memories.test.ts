import { randomUUID } from "node:crypto";
import { consolidationChanges, consolidationJobs, taskMemories } from "@memcons/models";
import { and, eq, isNull } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenFingerprint } from "../src/index.js";
import { archiveDirectly, call, createProjectViaApi, eventually, sampleMemories, TOKEN, useTestApp } from "./helpers.js";

interface Page {
  memories: Array<Record<string, unknown> & { id: string }>;
  next_cursor: string | null;
}

const fixture = useTestApp();

describe("POST /api/v1/projects/{id}/memories", () => {
  it("inserts memories, embeds them, and keeps tricky text intact", async () => {
    const id = await createProjectViaApi(fixture.app);
    const tricky = ['a "quoted" tag', "back\\slash", "comma,brace{}", "NULL", "ünïcødé ✓", ""];
    const res = await call<{ ids: string[]; count: number }>(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: {
        memories: [
          {
            task_id: "TSK-1",
            memory_type: "error_fix",
            execution_summary: "Fixed the flaky login test by waiting for the session cookie.",
            goal: "Stable CI",
            result: "Green",
            feedback: null,
            tags: tricky,
            file_paths: ["src/auth/login.ts", "test/login.test.ts"],
            success: false,
            reused_count: 4,
            learned_at: "2025-03-04T05:06:07.000Z",
          },
          { memory_type: "warning", execution_summary: "Never run migrations from two shells." },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.count).toBe(2);
    expect(res.body.ids).toHaveLength(2);
    const [first] = await fixture.db.orm.select().from(taskMemories).where(eq(taskMemories.id, res.body.ids[0]!));
    expect(first).toMatchObject({
      projectId: id,
      taskId: "TSK-1",
      memoryType: "error_fix",
      tags: tricky,
      filePaths: ["src/auth/login.ts", "test/login.test.ts"],
      success: false,
      reusedCount: 4,
    });
    expect(first!.learnedAt.toISOString()).toBe("2025-03-04T05:06:07.000Z");
    expect(first!.contextEmbedding?.length).toBeGreaterThan(0);
    const [second] = await fixture.db.orm.select().from(taskMemories).where(eq(taskMemories.id, res.body.ids[1]!));
    expect(second!.contextEmbedding?.length).toBe(first!.contextEmbedding?.length);
  });

  it("keeps a supplied embedding of the embedder's dimension and rejects other dimensions", async () => {
    const id = await createProjectViaApi(fixture.app);
    const dims = await embeddingDimension(id);
    const vector = Array.from({ length: dims }, (_, i) => (i % 7) / 7);
    const ok = await call<{ ids: string[] }>(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: { memories: [{ memory_type: "learning", execution_summary: "x", context_embedding: vector }] },
    });
    expect(ok.status).toBe(201);
    const [row] = await fixture.db.orm.select().from(taskMemories).where(eq(taskMemories.id, ok.body.ids[0]!));
    expect(row!.contextEmbedding!.map((v) => Math.round(v * 1e5) / 1e5)).toEqual(vector.map((v) => Math.round(v * 1e5) / 1e5));
    const tiny = await call<{ ids: string[] }>(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: { memories: [{ memory_type: "learning", execution_summary: "tiny", context_embedding: vector.map((v, i) => (i === 0 ? 1e-300 : v)) }] },
    });
    expect(tiny.status).toBe(201);
    const [flushed] = await fixture.db.orm.select().from(taskMemories).where(eq(taskMemories.id, tiny.body.ids[0]!));
    expect(flushed!.contextEmbedding![0]).toBe(0);
    const bad = await call(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: { memories: [{ memory_type: "learning", execution_summary: "x", context_embedding: [1, 2, 3] }] },
    });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toContain("memories.0.context_embedding");
  });

  it("records which model made each vector: the embedder's, or the one supplied with a vector", async () => {
    const id = await createProjectViaApi(fixture.app, { name: "models", consolidation_enabled: false });
    const dims = await embeddingDimension(id);
    const vector = Array.from({ length: dims }, (_, i) => (i % 3) / 3);
    const res = await call<{ ids: string[] }>(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: {
        memories: [
          { memory_type: "learning", execution_summary: "Computed here." },
          { memory_type: "learning", execution_summary: "Supplied, same model.", context_embedding: vector },
          // Another model may have another length: stored as given, re-embedded by the next job.
          { memory_type: "learning", execution_summary: "Supplied, other model.", context_embedding: [0.6, 0.8], embedding_model: "remote-2" },
        ],
      },
    });
    expect(res.status).toBe(201);
    const models = await Promise.all(
      res.body.ids.map(async (memoryId) => (await fixture.db.orm.select().from(taskMemories).where(eq(taskMemories.id, memoryId)))[0]!.embeddingModel),
    );
    expect(models).toEqual(["hashing-v3-256", "hashing-v3-256", "remote-2"]);
    const orphan = await call(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: { memories: [{ memory_type: "learning", execution_summary: "x", embedding_model: "remote-2" }] },
    });
    expect(orphan.status).toBe(400);
    expect(String(orphan.body.message)).toContain("memories.0.embedding_model");
    // A search ranks only vectors of the configured model.
    const search = await call<Page>(fixture.app, "GET", `/api/v1/projects/${id}/memories?q=${encodeURIComponent("Supplied other model")}`);
    expect(search.status).toBe(200);
    expect(search.body.memories.map((m) => m.id)).not.toContain(res.body.ids[2]);
    expect(search.body.memories.map((m) => m.id)).toContain(res.body.ids[0]);
  });

  it("gives each memory of a mixed batch its own vector, supplied or embedded", async () => {
    const id = await createProjectViaApi(fixture.app, { name: "mixed", consolidation_enabled: false });
    const dims = await embeddingDimension(id);
    const supplied = Array.from({ length: dims }, (_, i) => (i % 5 === 0 ? -0.25 : 0.125));
    const first = { memory_type: "learning", execution_summary: "Cache keys must include the tenant id." };
    const last = { memory_type: "warning", execution_summary: "Never run migrations from two shells at once." };
    const mixed = await call<{ ids: string[] }>(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: { memories: [first, { ...first, context_embedding: supplied }, last] },
    });
    const ingestAlone = async (memory: typeof first) =>
      (
        await call<{ ids: string[] }>(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
          body: { memories: [memory] },
        })
      ).body.ids[0]!;
    const vectorOf = async (memoryId: string) =>
      (await fixture.db.orm.select().from(taskMemories).where(eq(taskMemories.id, memoryId)))[0]!.contextEmbedding;
    const [a, s, b] = await Promise.all(mixed.body.ids.map(vectorOf));
    const firstAlone = await vectorOf(await ingestAlone(first));
    const lastAlone = await vectorOf(await ingestAlone(last));
    expect(s).toEqual(supplied);
    expect(a).toEqual(firstAlone);
    expect(b).toEqual(lastAlone);
    expect(a).not.toEqual(b);
  });

  it("accepts 1,000 memories in one call and rejects 1,001", async () => {
    const id = await createProjectViaApi(fixture.app, { name: "bulk", consolidation_enabled: false });
    const ok = await call<{ count: number }>(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: { memories: sampleMemories(100, 10) },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.count).toBe(1000);
    const tooMany = await call(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: { memories: sampleMemories(1, 1001) },
    });
    expect(tooMany.status).toBe(400);
  });

  it("validates every field", async () => {
    const id = await createProjectViaApi(fixture.app);
    const base = { memory_type: "error_fix", execution_summary: "ok" };
    for (const memory of [
      { ...base, memory_type: "consolidated" },
      { ...base, memory_type: "nonsense" },
      { ...base, execution_summary: " \n\t " },
      { ...base, execution_summary: "nul\u0000byte" },
      { ...base, execution_summary: "lone \ud800 surrogate" },
      { ...base, tags: ["\udc00"] },
      { ...base, tags: "a" },
      { ...base, tags: [1] },
      { ...base, context_embedding: [] },
      { ...base, context_embedding: [1e39] },
      { ...base, context_embedding: ["1"] },
      { ...base, reused_count: -1 },
      { ...base, reused_count: 1.5 },
      { ...base, reused_count: 2 ** 31 },
      { ...base, learned_at: "yesterday" },
      { ...base, learned_at: "0000-01-01T00:00:00Z" },
      { ...base, learned_at: "2024-02-30T00:00:00Z" },
      { ...base, success: "true" },
      { ...base, unknown: 1 },
      { memory_type: "error_fix" },
    ]) {
      const res = await call(fixture.app, "POST", `/api/v1/projects/${id}/memories`, { body: { memories: [memory] } });
      expect(res.status, JSON.stringify(memory)).toBe(400);
      expect(res.body.error).toBe("validation_error");
    }
    for (const body of [{ memories: [] }, {}, { memories: {} }, []]) {
      const res = await call(fixture.app, "POST", `/api/v1/projects/${id}/memories`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("answers 404 for an unknown project", async () => {
    const res = await call(fixture.app, "POST", `/api/v1/projects/${randomUUID()}/memories`, {
      body: { memories: [{ memory_type: "error_fix", execution_summary: "x" }] },
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
  });

  it("runs the threshold check after answering and enqueues a threshold job", async () => {
    const id = await createProjectViaApi(fixture.app, { name: "threshold", consolidation_threshold: 10 });
    const res = await call(fixture.app, "POST", `/api/v1/projects/${id}/memories`, { body: { memories: sampleMemories(4, 3) } });
    expect(res.status).toBe(201);
    const job = await eventually(async () => {
      const [row] = await fixture.db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, id));
      return row;
    });
    expect(job.triggerType).toBe("threshold");
    expect(job.status).toBe("pending");
  });

  it("does not enqueue below the threshold", async () => {
    const id = await createProjectViaApi(fixture.app, { name: "below", consolidation_threshold: 50 });
    await call(fixture.app, "POST", `/api/v1/projects/${id}/memories`, { body: { memories: sampleMemories(2, 2) } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const rows = await fixture.db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.projectId, id));
    expect(rows).toHaveLength(0);
  });
});

describe("GET /api/v1/projects/{id}/memories", () => {
  let projectId: string;
  let ids: string[];

  beforeAll(async () => {
    projectId = await createProjectViaApi(fixture.app, { name: "listing", consolidation_enabled: false });
    const memories = [
      ...sampleMemories(3, 3),
      { memory_type: "decision", execution_summary: "Use PostgreSQL advisory locks to serialize the migrations." },
      { memory_type: "warning", execution_summary: "The payment webhook retries for three days; make handlers idempotent." },
    ];
    const res = await call<{ ids: string[] }>(fixture.app, "POST", `/api/v1/projects/${projectId}/memories`, { body: { memories } });
    ids = res.body.ids;
    await archiveDirectly(fixture.db, [ids[0]!, ids[1]!]);
  });

  it("excludes archived memories unless include_archived=true", async () => {
    const visible = await call<Page>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories?limit=100`);
    expect(visible.status).toBe(200);
    expect(visible.body.memories).toHaveLength(9);
    expect(visible.body.memories.map((m) => m.id)).not.toContain(ids[0]);
    expect(visible.body.memories[0]).not.toHaveProperty("context_embedding");
    const all = await call<Page>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories?limit=100&include_archived=true`);
    expect(all.body.memories).toHaveLength(11);
    expect(all.body.memories.find((m) => m.id === ids[0])).toMatchObject({ is_archived: true, archive_reason: "manual" });
  });

  it("filters by memory_type", async () => {
    const res = await call<Page>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories?memory_type=warning`);
    expect(res.body.memories.map((m) => m.memory_type)).toEqual(["warning"]);
  });

  it("pages with a cursor without gaps or repeats (rows share created_at)", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor ? `&cursor=${cursor}` : "";
      const res = await call<Page>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories?limit=4&include_archived=true${suffix}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.memories.map((m) => m.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(11);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it("ranks by similarity with q and pages the ranking", async () => {
    const res = await call<Page>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories?q=${encodeURIComponent("payment webhook retries idempotent handlers")}&limit=3`);
    expect(res.status).toBe(200);
    expect(res.body.memories).toHaveLength(3);
    expect(res.body.memories[0]!.memory_type).toBe("warning");
    const sims = res.body.memories.map((m) => m.similarity as number);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    expect(res.body.next_cursor).not.toBeNull();
    const next = await call<Page>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories?q=payment&limit=3&cursor=${res.body.next_cursor}`);
    expect(next.status).toBe(200);
    expect(next.body.memories.map((m) => m.id)).not.toContain(res.body.memories[0]!.id);
  });

  it("rejects bad queries and unknown projects", async () => {
    for (const query of [
      "?include_archived=yes",
      "?memory_type=bogus",
      "?limit=1000",
      "?limit=-1",
      "?cursor=bm9wZQ",
      "?q=a&cursor=eyJ0IjoiMjAyNC0wMS0wMVQwMDowMDowMC4wMDAwMDBaIiwiaSI6IngifQ",
    ]) {
      const res = await call(fixture.app, "GET", `/api/v1/projects/${projectId}/memories${query}`);
      expect(res.status, query).toBe(400);
    }
    const missing = await call(fixture.app, "GET", `/api/v1/projects/${randomUUID()}/memories`);
    expect(missing.status).toBe(404);
  });
});

async function embeddingDimension(projectId: string): Promise<number> {
  const res = await call<{ ids: string[] }>(fixture.app, "POST", `/api/v1/projects/${projectId}/memories`, {
    body: { memories: [{ memory_type: "learning", execution_summary: "probe" }] },
  });
  const [row] = await fixture.db.orm.select().from(taskMemories).where(eq(taskMemories.id, res.body.ids[0]!));
  return row!.contextEmbedding!.length;
}

describe("POST /api/v1/projects/{id}/memories/archive and /unarchive", () => {
  it("archives and unarchives the project's memories only", async () => {
    const projectId = await createProjectViaApi(fixture.app, { name: "archiving", consolidation_enabled: false });
    const otherId = await createProjectViaApi(fixture.app, { name: "other", consolidation_enabled: false });
    const mine = await call<{ ids: string[] }>(fixture.app, "POST", `/api/v1/projects/${projectId}/memories`, { body: { memories: sampleMemories(1, 3) } });
    const theirs = await call<{ ids: string[] }>(fixture.app, "POST", `/api/v1/projects/${otherId}/memories`, { body: { memories: sampleMemories(1, 1) } });
    const stranger = randomUUID();
    const archived = await call(fixture.app, "POST", `/api/v1/projects/${projectId}/memories/archive`, {
      body: { memory_ids: [mine.body.ids[0], mine.body.ids[1], mine.body.ids[1]!.toUpperCase(), theirs.body.ids[0], stranger], reason: "obsolete" },
    });
    expect(archived.status).toBe(200);
    expect(archived.body).toEqual({ archived: 2, not_found: [theirs.body.ids[0], stranger] });
    const visible = await call<Page>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories`);
    expect(visible.body.memories.map((m) => m.id)).toEqual([mine.body.ids[2]]);
    const counts = await call<{ memory_counts: Record<string, number> }>(fixture.app, "GET", `/api/v1/projects/${projectId}`);
    expect(counts.body.memory_counts).toMatchObject({ active: 1, archived: 2 });
    const [other] = await fixture.db.orm.select().from(taskMemories).where(eq(taskMemories.id, theirs.body.ids[0]!));
    expect(other!.isArchived).toBe(false);

    const again = await call(fixture.app, "POST", `/api/v1/projects/${projectId}/memories/archive`, { body: { memory_ids: [mine.body.ids[0]] } });
    expect(again.body).toEqual({ archived: 0, not_found: [] });
    const restored = await call(fixture.app, "POST", `/api/v1/projects/${projectId}/memories/unarchive`, {
      body: { memory_ids: [mine.body.ids[0], mine.body.ids[1], mine.body.ids[2]] },
    });
    expect(restored.status).toBe(200);
    expect(restored.body).toEqual({ unarchived: 2, not_found: [] });
    const all = await call<Page>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories`);
    expect(all.body.memories).toHaveLength(3);

    // Every change by hand is audited, outside any job, with who did it and why.
    const audit = await fixture.db.orm
      .select()
      .from(consolidationChanges)
      .where(and(isNull(consolidationChanges.consolidationJobId), eq(consolidationChanges.memoryId, mine.body.ids[1]!)))
      .orderBy(consolidationChanges.changedAt, consolidationChanges.operation);
    expect(audit.map((row) => [row.operation, row.reason, row.changedBy])).toEqual([
      ["archive", "obsolete", `admin:${tokenFingerprint(TOKEN)}`],
      ["unarchive", null, `admin:${tokenFingerprint(TOKEN)}`],
    ]);
    expect(audit[0]!.previousState).toMatchObject({ id: mine.body.ids[1], is_archived: false });

    // The same trail through the API, newest first.
    type Trail = { memory_id: string; changes: Array<{ operation: string; reason: string | null; consolidation_job_id: string | null }> };
    const trail = await call<Trail>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories/${mine.body.ids[1]}/changes`);
    expect(trail.status).toBe(200);
    expect(trail.body.memory_id).toBe(mine.body.ids[1]);
    expect(trail.body.changes.map((c) => [c.operation, c.reason, c.consolidation_job_id])).toEqual([
      ["unarchive", null, null],
      ["archive", "obsolete", null],
    ]);
    const newest = await call<Trail>(fixture.app, "GET", `/api/v1/projects/${projectId}/memories/${mine.body.ids[1]}/changes?limit=1`);
    expect(newest.body.changes.map((c) => c.operation)).toEqual(["unarchive"]);
    const untouched = await call<Trail>(fixture.app, "GET", `/api/v1/projects/${otherId}/memories/${theirs.body.ids[0]}/changes`);
    expect(untouched.status).toBe(200);
    expect(untouched.body.changes).toEqual([]);
    for (const [project, memory] of [[otherId, mine.body.ids[1]], [projectId, stranger], [randomUUID(), mine.body.ids[1]]]) {
      const missing = await call(fixture.app, "GET", `/api/v1/projects/${project}/memories/${memory}/changes`);
      expect(missing.status, `${project} ${memory}`).toBe(404);
      expect(missing.body.error).toBe("not_found");
    }
  });

  it("rejects bad bodies and unknown projects", async () => {
    const projectId = await createProjectViaApi(fixture.app);
    for (const body of [{}, { memory_ids: [] }, { memory_ids: ["x"] }, { memory_ids: [randomUUID()], extra: 1 }, { memory_ids: randomUUID() }]) {
      for (const action of ["archive", "unarchive"]) {
        const res = await call(fixture.app, "POST", `/api/v1/projects/${projectId}/memories/${action}`, { body });
        expect(res.status, `${action} ${JSON.stringify(body)}`).toBe(400);
      }
    }
    const missing = await call(fixture.app, "POST", `/api/v1/projects/${randomUUID()}/memories/archive`, { body: { memory_ids: [randomUUID()] } });
    expect(missing.status).toBe(404);
  });
});
