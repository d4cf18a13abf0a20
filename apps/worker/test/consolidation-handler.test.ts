import { createExtractiveSynthesizer, createHashingEmbedder } from "@memcons/consolidation-core";
import { type ConsolidationJob, consolidationJobs, type Database, projects, taskMemories } from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { createJobRunner, type JobEvent, triggerConsolidation, triggerJob } from "@memcons/scheduler";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobHandlers } from "../src/worker/handlers.js";
import { waitFor } from "./helpers/processes.js";

describe.each(testTargets(process.env.DATABASE_URL))("the worker's job handlers on $driver", (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db.close();
  });

  it("run the consolidation engine on a claimed consolidation job and complete it", async () => {
    const [project] = await db.orm.insert(projects).values({ name: "handlers" }).returning();
    const projectId = project!.id;
    const summary = "Fixed the flaky login test by waiting for the session cookie before asserting.";
    await db.orm.insert(taskMemories).values(
      [0, 1, 2].map((i) => ({
        projectId,
        memoryType: "error_fix" as const,
        executionSummary: summary,
        tags: [`tag-${i}`],
        filePaths: [`src/login-${i}.ts`],
      })),
    );
    const handlers = jobHandlers({
      embedder: createHashingEmbedder(),
      synthesizer: createExtractiveSynthesizer(),
      actor: "test",
    });
    expect(Object.keys(handlers)).toEqual(["consolidation", "reembed"]);
    const runner = createJobRunner({ db, pollIntervalMs: 50, handlers });
    const events: JobEvent[] = [];
    runner.events.on("event", (e: JobEvent) => events.push(e));
    await runner.start();
    try {
      const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
      const done = await waitFor("the job to end", async () => {
        const current = await getJob(db, job.id);
        return ["completed", "failed"].includes(current.status) ? current : undefined;
      });
      expect(done.errorMessage).toBeNull();
      expect(done.status).toBe("completed");
      expect(done.progress).toBe(1);
      expect(done.phasesCompleted).toContain("detect");
      expect(done.memoriesMerged).toBeGreaterThan(0);
      const merged = await db.orm.select().from(taskMemories).where(eq(taskMemories.memoryType, "consolidated"));
      expect(merged.some((m) => m.projectId === projectId)).toBe(true);
      // The completed event follows the commit.
      await waitFor("the completed event", async () => events.find((e) => e.job_id === job.id && e.type === "completed"));
      const types = events.filter((e) => e.job_id === job.id).map((e) => e.type);
      expect(types[0]).toBe("started");
      expect(types.at(-1)).toBe("completed");
      expect(types).toContain("progress");
    } finally {
      await runner.stop();
    }
  });
});

describe.each(testTargets(process.env.DATABASE_URL))("the reembed job handler on $driver", (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db.close();
  });

  it("re-embeds what another model produced, records its result and completes", async () => {
    const embedder = createHashingEmbedder();
    const [project] = await db.orm.insert(projects).values({ name: "reembed handler" }).returning();
    const projectId = project!.id;
    const stale = Array.from({ length: embedder.dimensions }, (_, i) => (i === 0 ? 1 : 0));
    await db.orm.insert(taskMemories).values([
      { projectId, memoryType: "learning", executionSummary: "Run migrations before the API starts.", contextEmbedding: stale, embeddingModel: "older-model" },
      { projectId, memoryType: "learning", executionSummary: "Pin the PostgreSQL image by digest.", contextEmbedding: stale, embeddingModel: "older-model" },
      { projectId, memoryType: "warning", executionSummary: "Never log bearer tokens." },
    ]);
    const handlers = jobHandlers({ embedder, synthesizer: createExtractiveSynthesizer(), actor: "test" });
    const runner = createJobRunner({ db, pollIntervalMs: 50, handlers });
    await runner.start();
    try {
      const { job } = await triggerJob(db, { projectId, kind: "reembed", triggerType: "manual" });
      const done = await waitFor("the reembed job to end", async () => {
        const current = await getJob(db, job.id);
        return ["completed", "failed"].includes(current.status) ? current : undefined;
      });
      expect(done.errorMessage).toBeNull();
      expect(done.status).toBe("completed");
      expect(done.progress).toBe(1);
      expect(done.metrics).toMatchObject({ embedding_model: embedder.model, memories_reembedded: 3 });
      const rows = await db.orm.select().from(taskMemories).where(eq(taskMemories.projectId, projectId));
      expect(rows.map((r) => r.embeddingModel)).toEqual([embedder.model, embedder.model, embedder.model]);
      for (const row of rows) {
        expect(row.contextEmbedding).toHaveLength(embedder.dimensions);
        expect(row.contextEmbedding).not.toEqual(stale);
      }
      expect(rows.every((r) => r.isConsolidated === false && r.version === 1)).toBe(true);
    } finally {
      await runner.stop();
    }
  });
});

async function getJob(db: Database, jobId: string): Promise<ConsolidationJob> {
  const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId));
  if (!job) throw new Error(`job ${jobId} not found`);
  return job;
}
