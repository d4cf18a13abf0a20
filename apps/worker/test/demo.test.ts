import { taskMemories } from "@memcons/models";
import { createTestDatabase, preferredTarget, type TestDatabase } from "@memcons/models/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoProject, generateDemoMemories } from "../src/serve/demo.js";

describe("demo data", () => {
  it("is deterministic, realistic and full of near-duplicates and stale one-offs", () => {
    const now = new Date("2026-01-15T12:00:00Z");
    const a = generateDemoMemories({ now });
    const b = generateDemoMemories({ now });
    expect(a).toEqual(b);
    expect(a).toHaveLength(300);
    const goals = new Map<string, number>();
    for (const m of a) goals.set(m.goal!, (goals.get(m.goal!) ?? 0) + 1);
    const repeated = [...goals.values()].filter((n) => n >= 3).length;
    expect(repeated).toBeGreaterThanOrEqual(10);
    const stale = a.filter((m) => (m.learnedAt as Date).getTime() < now.getTime() - 100 * 86_400_000);
    expect(stale.length).toBeGreaterThan(30);
    for (const m of a) {
      expect(m.executionSummary.trim().length).toBeGreaterThan(20);
      expect(m.tags!.length).toBeGreaterThan(0);
      expect(m.filePaths!.length).toBeGreaterThan(0);
    }
    expect(generateDemoMemories({ count: 50 })).toHaveLength(50);
  });
});

describe(`ensureDemoProject (${preferredTarget(process.env.DATABASE_URL).driver})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(preferredTarget(process.env.DATABASE_URL));
  });
  afterAll(async () => {
    await db.close();
  });

  it("creates the project once and then finds it", async () => {
    const first = await ensureDemoProject(db, { count: 120 });
    expect(first).toMatchObject({ created: true, memories: 120 });
    const second = await ensureDemoProject(db, { count: 120 });
    expect(second).toMatchObject({ created: false, memories: 120 });
    expect(second.project.id).toBe(first.project.id);
    const [row] = await db.orm
      .select({ n: sql<number>`count(*)::int` })
      .from(taskMemories)
      .where(eq(taskMemories.projectId, first.project.id));
    expect(Number(row!.n)).toBe(120);
  });
});
