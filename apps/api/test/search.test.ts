import { createHashingEmbedder } from "@memcons/consolidation-core";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createProjectViaApi, makeApp, openTestDatabase } from "./helpers.js";

interface Page {
  memories: Array<{ id: string; similarity: number; memory_type: string }>;
  next_cursor: string | null;
}

const DIMENSIONS = 16;
const QUERY = "payment webhook retries";
const embedder = createHashingEmbedder({ dimensions: DIMENSIONS });
let db: Awaited<ReturnType<typeof openTestDatabase>>;
// Two apps over one database, each with its own search cache: B stands for another API process.
let appA: ReturnType<typeof makeApp>;
let appB: ReturnType<typeof makeApp>;
let projectId: string;
let queryVector: number[];

beforeAll(async () => {
  db = await openTestDatabase();
  appA = makeApp(db, { embedder });
  appB = makeApp(db, { embedder });
  projectId = await createProjectViaApi(appA);
  queryVector = Array.from((await embedder.embed([QUERY]))[0]!);
  // The oldest memory matches the query exactly; 6,000 newer ones have random vectors.
  await db.rows(sql`
    insert into task_memories (project_id, memory_type, execution_summary, context_embedding, embedding_model, created_at)
    values (${projectId}, 'warning', 'the oldest memory', ${`{${queryVector.join(",")}}`}::real[], ${embedder.model},
            now() - interval '1 year')`);
  await db.rows(sql`
    insert into task_memories (project_id, memory_type, execution_summary, context_embedding, embedding_model)
    select ${projectId}, case when g % 2 = 0 then 'learning' else 'error_fix' end, 'memory ' || g,
           array(select (random() * 2 - 1 + g * 0)::real from generate_series(1, ${DIMENSIONS}::int)), ${embedder.model}
      from generate_series(1, 6000) g`);
}, 120_000);

afterAll(async () => {
  await db.close();
});

async function search(app: ReturnType<typeof makeApp>, query = "", limit = 10): Promise<Page> {
  const res = await call<Page>(
    app,
    "GET",
    `/api/v1/projects/${projectId}/memories?q=${encodeURIComponent(QUERY)}&limit=${limit}${query}`,
  );
  expect(res.status).toBe(200);
  return res.body;
}

/** The exact ranking computed here from every stored vector: similarity desc, then id. */
async function bruteForce(where = "not is_archived and not is_duplicate"): Promise<string[]> {
  const rows = await db.rows<{ id: string; v: string }>(
    sql`select id, context_embedding::text as v from task_memories
         where project_id = ${projectId} and context_embedding is not null and ${sql.raw(where)}`,
  );
  const norm = Math.sqrt(queryVector.reduce((s, x) => s + x * x, 0));
  return rows
    .map((row) => {
      const v = JSON.parse(`[${row.v.slice(1, -1)}]`) as number[];
      const dot = v.reduce((s, x, i) => s + x * queryVector[i]!, 0);
      const vn = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      return { id: row.id, similarity: vn === 0 ? 0 : dot / (norm * vn) };
    })
    .sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : 1))
    .map((row) => row.id);
}

describe("q= search over every memory of a project", () => {
  it("ranks all 6,001 memories exactly: the oldest, best match comes first, pages follow the exact ranking", async () => {
    const expected = await bruteForce();
    const first = await search(appA, "", 50);
    expect(first.memories[0]!.similarity).toBeCloseTo(1, 5);
    expect(first.memories.map((m) => m.id)).toEqual(expected.slice(0, 50));
    const second = await call<Page>(
      appA,
      "GET",
      `/api/v1/projects/${projectId}/memories?q=${encodeURIComponent(QUERY)}&limit=50&cursor=${first.next_cursor}`,
    );
    expect(second.body.memories.map((m) => m.id)).toEqual(expected.slice(50, 100));
    const learning = await search(appA, "&memory_type=learning", 20);
    expect(learning.memories.every((m) => m.memory_type === "learning")).toBe(true);
    expect(learning.memories.map((m) => m.id)).toEqual((await bruteForce("memory_type = 'learning'")).slice(0, 20));
  });

  it("the last page has no next cursor", async () => {
    const res = await call<Page>(
      appA,
      "GET",
      `/api/v1/projects/${projectId}/memories?q=${encodeURIComponent(QUERY)}&limit=100&memory_type=warning`,
    );
    expect(res.body.memories).toHaveLength(1);
    expect(res.body.next_cursor).toBeNull();
  });

  it("shows writes made elsewhere (updates, inserts, deletes) on the next search", async () => {
    const top = (await search(appA)).memories[0]!.id;
    // Archive the best match behind A's back.
    await db.rows(sql`update task_memories set is_archived = true, archived_at = now() where id = ${top}`);
    expect((await search(appA)).memories.map((m) => m.id)).not.toContain(top);
    expect((await search(appA, "&include_archived=true")).memories[0]!.id).toBe(top);
    // A new memory ingested through the other process ranks first.
    const ingest = await call<{ ids: string[] }>(appB, "POST", `/api/v1/projects/${projectId}/memories`, {
      body: { memories: [{ memory_type: "decision", execution_summary: "new", context_embedding: queryVector }] },
    });
    expect(ingest.status).toBe(201);
    const fresh = ingest.body.ids[0]!;
    expect((await search(appA)).memories[0]!.id).toBe(fresh);
    // A changed embedding moves a memory.
    const [someone] = await db.rows<{ id: string }>(
      sql`select id from task_memories where project_id = ${projectId} and execution_summary = 'memory 17'`,
    );
    await db.rows(
      sql`update task_memories set context_embedding = ${`{${queryVector.map((x) => x * 2).join(",")}}`}::real[]
           where id = ${someone!.id}`,
    );
    expect(
      (await search(appA))
        .memories.slice(0, 2)
        .map((m) => m.id)
        .sort(),
    ).toEqual([fresh, someone!.id].sort());
    // A deleted memory is gone.
    await db.rows(sql`delete from task_memories where id = ${fresh}`);
    const after = await search(appA, "", 50);
    expect(after.memories.map((m) => m.id)).not.toContain(fresh);
    expect(after.memories.map((m) => m.id)).toEqual((await bruteForce()).slice(0, 50));
    // The other process agrees.
    expect((await search(appB, "", 50)).memories.map((m) => m.id)).toEqual(after.memories.map((m) => m.id));
  });
});
