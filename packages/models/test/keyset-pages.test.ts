import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, planNodes, type TestDatabase } from "../src/testing/index.js";

const url = process.env.DATABASE_URL;

/** The engine reads a project's active memories a type at a time in keyset pages (`id > last ORDER BY id LIMIT page`). */
describe.runIf(url)("keyset pages over a project's active memories on PostgreSQL", () => {
  let db: TestDatabase;
  let projects: string[];

  beforeAll(async () => {
    db = await createTestDatabase({ driver: "postgres", adminUrl: url as string });
    const rows = await db.rows<{ id: string }>(sql`insert into memcons.projects (name) values ('a'), ('b') returning id`);
    projects = rows.map((row) => row.id);
    for (const projectId of projects) {
      await db.rows(sql`insert into memcons.task_memories (project_id, memory_type, execution_summary)
        select ${projectId}::uuid, 'learning', 'memory ' || g from generate_series(1, 30000) g`);
    }
  }, 120_000);

  afterAll(async () => {
    await db?.close();
  });

  async function pagePlan(): Promise<Array<Record<string, unknown>>> {
    const [row] = await db.rows<{ "QUERY PLAN": unknown }>(sql`explain (analyze, format json)
      select t.id from memcons.task_memories t
       where t.project_id = ${projects[0]}::uuid and t.is_archived = false and t.is_duplicate = false
         and t.memory_type = 'learning' and t.id > '40000000-0000-0000-0000-000000000000'::uuid
       order by t.id limit 500`);
    return planNodes(row?.["QUERY PLAN"]);
  }

  it("reads only one page through the (project, type, id) index once the table is analyzed", async () => {
    // Autovacuum analyzes a table within a minute of a large insert; plans before that may still sort.
    await db.rows(sql`analyze memcons.task_memories`);
    const nodes = await pagePlan();
    const plan = JSON.stringify(nodes.map(({ Plans: _children, ...node }) => node));
    expect(nodes.filter((node) => String(node["Node Type"]).includes("Sort")), plan).toEqual([]);
    const scans = nodes.filter((node) => node["Relation Name"] === "task_memories");
    expect(scans.map((node) => node["Index Name"]), plan).toEqual(["task_memories_project_active_idx"]);
    expect(Number(scans[0]?.["Actual Rows"]), plan).toBe(500);
  });
});
