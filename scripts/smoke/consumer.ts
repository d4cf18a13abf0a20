// A strict TypeScript consumer, type-checked under moduleResolution nodenext and bundler.
import { type Embedder, rollbackJob, runConsolidation } from "@memcons/consolidation-core";
import {
  createDatabase,
  type Database,
  migrate,
  migrationStatements,
  type Project,
  projects,
  taskMemories,
} from "@memcons/models";
import { createJobRunner, triggerConsolidation } from "@memcons/scheduler";
import { createApiApp } from "@memcons/api";
import { and, eq } from "drizzle-orm";
import postgres from "postgres";

/** A custom embedder: one vector of `dimensions` numbers per text. */
const lengthEmbedder: Embedder = {
  model: "length-v1",
  dimensions: 2,
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => Float32Array.from([text.length, 1]));
  },
};

export async function withOwnClient(url: string): Promise<Project | undefined> {
  const sql = postgres(url);
  const db: Database = await createDatabase(sql);
  await migrate(db);
  const statements: string[] = migrationStatements();
  const [project] = await db.orm.insert(projects).values({ name: `consumer ${statements.length}` }).returning();
  if (!project) return undefined;
  await db.orm.transaction(async (tx) => {
    await tx.insert(taskMemories).values({ projectId: project.id, memoryType: "decision", executionSummary: "Chose zod." });
    await triggerConsolidation(db, { projectId: project.id, triggerType: "manual" }, { transaction: tx });
  });
  const runner = createJobRunner({
    db,
    concurrency: 1,
    handlers: {
      consolidation: (job, ctx) => runConsolidation(ctx.db, job.id, { ...ctx, embedder: lengthEmbedder }),
    },
  });
  await runner.start();
  await runner.stop();
  const rows = await db.orm
    .select()
    .from(taskMemories)
    .where(and(eq(taskMemories.projectId, project.id), eq(taskMemories.isArchived, false)));
  void rows.length;
  void rollbackJob;
  void createApiApp;
  await db.close();
  await sql.end();
  return project;
}
