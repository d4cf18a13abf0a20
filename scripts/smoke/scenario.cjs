// The consumer scenario, shared by the ESM and the CommonJS program: migrate, ingest, run one job
// through the runner to `completed`, roll it back. The modules are passed in, loaded by import or
// by require, so each program exercises its own module format.
"use strict";

const SUMMARIES = [
  "Fixed the flaky login test by awaiting the session cookie before asserting.",
  "Fixed the flaky login test by awaiting the session cookie before the assertion.",
  "Fixed the flaky login test: await the session cookie before asserting.",
  "Documented how the billing service retries failed webhooks.",
];

/** Fails the program with a message when a check does not hold. */
function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function waitForStatus(db, models, drizzle, jobId, statuses, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [job] = await db.orm
      .select()
      .from(models.consolidationJobs)
      .where(drizzle.eq(models.consolidationJobs.id, jobId));
    if (job && statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job && job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the scenario on `url` and returns a one-line summary. */
async function runScenario({ models, core, scheduler, drizzle }, url, label) {
  const db = await models.createDatabase(url);
  try {
    await models.migrate(db);
    const [project] = await db.orm.insert(models.projects).values({ name: `smoke ${label}` }).returning();
    await db.orm.insert(models.taskMemories).values(
      SUMMARIES.map((executionSummary, i) => ({
        projectId: project.id,
        memoryType: "error_fix",
        executionSummary,
        taskId: `task-${i}`,
        tags: ["tests"],
      })),
    );
    const { job, created } = await scheduler.triggerConsolidation(db, { projectId: project.id, triggerType: "manual" });
    check(created && job.status === "pending", "a pending job was created");
    const runner = scheduler.createJobRunner({
      db,
      pollIntervalMs: 100,
      handlers: { consolidation: (claimed, ctx) => core.runConsolidation(ctx.db, claimed.id, ctx) },
    });
    await runner.start();
    let done;
    try {
      done = await waitForStatus(db, models, drizzle, job.id, ["completed", "failed", "cancelled"], 120_000);
    } finally {
      await runner.stop();
    }
    check(done.status === "completed", `job completed (was ${done.status}: ${done.errorMessage})`);
    check(done.memoriesMerged > 0, "the job merged the near-duplicate memories");
    const rollback = await core.rollbackJob(db, job.id);
    const active = await db.orm
      .select()
      .from(models.taskMemories)
      .where(drizzle.and(drizzle.eq(models.taskMemories.projectId, project.id), drizzle.eq(models.taskMemories.isDuplicate, false)));
    check(active.length === SUMMARIES.length, `rollback restored the ${SUMMARIES.length} original memories`);
    check(active.every((memory) => memory.memoryType === "error_fix"), "rollback removed the consolidated memory");
    return `${label}: job ${done.status}, merged ${done.memoriesMerged}, rolled back ${JSON.stringify(rollback).length > 0}`;
  } finally {
    await db.close();
  }
}

module.exports = { runScenario, check };
