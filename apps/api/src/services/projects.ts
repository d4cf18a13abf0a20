import { ProjectNotFoundError, type Database, type Project, projects, taskMemories } from "@memcons/models";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { afterKeyset, cursorTimestamp, decodeKeyset, keysetPage } from "./cursor.js";

/** Memory counts of a project by state. */
export interface MemoryCounts {
  active: number;
  archived: number;
  duplicate: number;
  total: number;
}

/** Loads a project or throws ProjectNotFoundError. */
export async function getProject(db: Database, projectId: string): Promise<Project> {
  const [project] = await db.orm.select().from(projects).where(eq(projects.id, projectId)).limit(1);
  if (!project) throw new ProjectNotFoundError(projectId);
  return project;
}

/** Throws ProjectNotFoundError unless the project exists. */
export async function assertProjectExists(db: Database, projectId: string): Promise<void> {
  const rows = await db.orm.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)).limit(1);
  if (rows.length === 0) throw new ProjectNotFoundError(projectId);
}

/** Counts a project's memories: active (neither archived nor duplicate), archived, duplicate, total. */
export async function memoryCounts(db: Database, projectId: string): Promise<MemoryCounts> {
  const [row] = await db.orm
    .select({
      active: sql<number>`count(*) filter (where not ${taskMemories.isArchived} and not ${taskMemories.isDuplicate})::int`,
      archived: sql<number>`count(*) filter (where ${taskMemories.isArchived})::int`,
      duplicate: sql<number>`count(*) filter (where ${taskMemories.isDuplicate})::int`,
      total: sql<number>`count(*)::int`,
    })
    .from(taskMemories)
    .where(eq(taskMemories.projectId, projectId));
  return {
    active: Number(row?.active ?? 0),
    archived: Number(row?.archived ?? 0),
    duplicate: Number(row?.duplicate ?? 0),
    total: Number(row?.total ?? 0),
  };
}

/** Creates a project. */
export async function createProject(
  db: Database,
  input: { name: string; consolidation_enabled?: boolean; consolidation_threshold?: number | null },
): Promise<Project> {
  const [project] = await db.orm
    .insert(projects)
    .values({
      name: input.name,
      consolidationEnabled: input.consolidation_enabled ?? true,
      consolidationThreshold: input.consolidation_threshold ?? null,
    })
    .returning();
  return project!;
}

/** Lists projects, newest first, with keyset pagination; `only` limits the listing to these project ids. */
export async function listProjects(
  db: Database,
  o: { limit: number; cursor?: string | undefined; only?: readonly string[] | undefined },
): Promise<{ projects: Project[]; nextCursor: string | null }> {
  const position = o.cursor ? decodeKeyset(o.cursor) : undefined;
  if (o.only?.length === 0) return { projects: [], nextCursor: null };
  const rows = await db.orm
    .select({ project: projects, ts: cursorTimestamp(projects.createdAt) })
    .from(projects)
    .where(
      and(
        position ? afterKeyset(projects.createdAt, projects.id, position) : undefined,
        o.only ? inArray(projects.id, [...o.only]) : undefined,
      ),
    )
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(o.limit + 1);
  const { page, nextCursor } = keysetPage(rows, o.limit, (row) => row.project.id);
  return { projects: page.map((row) => row.project), nextCursor };
}

/** Changes a project's consolidation settings; `options` are merged into the stored per-project options. */
export async function configureProject(
  db: Database,
  projectId: string,
  input: { enabled?: boolean; threshold?: number | null; options?: Record<string, unknown> },
): Promise<Project> {
  const [project] = await db.orm
    .update(projects)
    .set({
      ...(input.enabled === undefined ? {} : { consolidationEnabled: input.enabled }),
      ...(input.threshold === undefined ? {} : { consolidationThreshold: input.threshold }),
      ...(input.options === undefined
        ? {}
        : { consolidationOptions: sql`${projects.consolidationOptions} || ${JSON.stringify(input.options)}::jsonb` }),
      updatedAt: sql`now()`,
    })
    .where(eq(projects.id, projectId))
    .returning();
  if (!project) throw new ProjectNotFoundError(projectId);
  return project;
}
