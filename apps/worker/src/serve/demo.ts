import { seededRandom } from "@memcons/consolidation-core";
import { type Database, type NewTaskMemory, type Project, projects, taskMemories } from "@memcons/models";
import { and, eq, sql } from "drizzle-orm";
import { DEMO_THEMES, ONE_OFF_PARTS } from "./demo-data.js";

/** Name of the project `memcons start` creates. */
export const DEMO_PROJECT_NAME = "demo-agent";

const DAY = 86_400_000;
const EXTRA_SENTENCES = ["", "", "", " Verified locally before pushing.", " CI is green again.", " Took two attempts."];
const FEEDBACK = [null, null, "Reviewer approved.", "Worked on the first try.", "Needed a follow-up fix."];

/** Options of generateDemoMemories. */
export interface DemoOptions {
  /** How many memories to produce (default 300). */
  count?: number;
  /** Seed of the deterministic generator (default 42). */
  seed?: number;
  /** Reference time for learned_at / last_reused_at (default now). */
  now?: Date;
}

/** Generates realistic agent memories: recurring lessons written several times, plus stale one-offs. */
export function generateDemoMemories(o: DemoOptions = {}): Omit<NewTaskMemory, "projectId">[] {
  const count = o.count ?? 300;
  const random = seededRandom(o.seed ?? 42);
  const now = (o.now ?? new Date()).getTime();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const out: Omit<NewTaskMemory, "projectId">[] = [];
  let task = 1000;

  // About 40% of the memories restate one of the recurring lessons, 2–9 times each.
  const duplicateBudget = Math.round(count * 0.4);
  for (let i = 0; out.length < duplicateBudget; i++) {
    const theme = DEMO_THEMES[i % DEMO_THEMES.length]!;
    const copies = Math.min(between(2, 9), duplicateBudget - out.length);
    for (let c = 0; c < Math.max(copies, 1); c++) {
      const learnedAt = new Date(now - between(1, 60) * DAY - between(0, DAY - 1));
      const reused = random() < 0.5;
      out.push({
        taskId: `TASK-${task++}`,
        memoryType: theme.type,
        executionSummary: theme.summary + pick(EXTRA_SENTENCES),
        goal: theme.goal,
        result: theme.result,
        feedback: pick(FEEDBACK),
        tags: theme.tags.filter((_, k) => k === 0 || random() < 0.85),
        filePaths: theme.files,
        success: true,
        reusedCount: reused ? between(3, 15) : between(0, 2),
        lastReusedAt: reused ? new Date(now - between(0, 20) * DAY) : null,
        learnedAt,
      });
    }
  }

  // The rest are one-off memories; a third of them are old and never reused (archive candidates).
  const p = ONE_OFF_PARTS;
  while (out.length < count) {
    const k = between(0, p.components.length - 1);
    const component = p.components[k]!;
    const problem = pick(p.problems);
    const fix = pick(p.fixes);
    const stale = random() < 0.35;
    const learnedAt = new Date(now - (stale ? between(120, 400) : between(1, 80)) * DAY);
    const slug = component.replace(/[^a-z]+/gi, "-").toLowerCase();
    out.push({
      taskId: `TASK-${task++}`,
      memoryType: pick(["error_fix", "error_fix", "discovery", "learning", "codebase_knowledge"] as const),
      executionSummary: `The ${component} ${problem}; I ${fix}. Task ${task} closed.`,
      goal: `Fix: ${component} ${problem}`,
      result: random() < 0.85 ? `Fixed; ${fix}.` : "Partially fixed; needs a follow-up.",
      feedback: pick(FEEDBACK),
      tags: [slug, problem.split(" ")[0]!.toLowerCase()],
      filePaths: [`${p.dirs[k]}/${slug}.ts`],
      success: random() < 0.9,
      reusedCount: stale ? between(0, 1) : between(0, 6),
      lastReusedAt: stale ? null : random() < 0.5 ? new Date(now - between(0, 30) * DAY) : null,
      learnedAt,
    });
  }
  return out;
}

/** Finds the demo project or creates it with generated memories; idempotent. */
export async function ensureDemoProject(
  db: Database,
  o: DemoOptions & { name?: string } = {},
): Promise<{ project: Project; created: boolean; memories: number }> {
  const name = o.name ?? DEMO_PROJECT_NAME;
  const [existing] = await db.orm.select().from(projects).where(eq(projects.name, name)).limit(1);
  if (existing) {
    const [row] = await db.orm
      .select({ n: sql<number>`count(*)::int` })
      .from(taskMemories)
      .where(and(eq(taskMemories.projectId, existing.id), eq(taskMemories.isDuplicate, false)));
    return { project: existing, created: false, memories: Number(row?.n ?? 0) };
  }
  const memories = generateDemoMemories(o);
  return db.orm.transaction(async (tx) => {
    const [project] = await tx.insert(projects).values({ name, consolidationThreshold: 1000 }).returning();
    for (let i = 0; i < memories.length; i += 500) {
      await tx.insert(taskMemories).values(memories.slice(i, i + 500).map((m) => ({ ...m, projectId: project!.id })));
    }
    return { project: project!, created: true, memories: memories.length };
  });
}
