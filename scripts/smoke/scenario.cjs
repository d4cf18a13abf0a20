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

/**
 * Runs the pair search on worker threads, whose script ships beside the module format's entry point, and checks it
 * finds the pairs of the one-thread search.
 */
async function checkThreadedPairSearch(core, label) {
  const n = 24_000;
  const dims = 32;
  const vectors = new Float32Array(n * dims);
  let seed = 11;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      // Every fourth row is a near copy of the row before it.
      const v = i % 4 === 1 ? vectors[(i - 1) * dims + d] + random() * 0.02 : random();
      vectors[i * dims + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dims; d++) vectors[i * dims + d] /= Math.sqrt(norm);
  }
  const set = { vectors, dims, n, groups: null };
  const threaded = await core.lshSimilarPairsAsync(set, 0.95, { threads: 2 });
  const single = core.lshSimilarPairs(set, 0.95);
  check(threaded.stats.threads === 2, `the pair search ran on 2 threads (ran on ${threaded.stats.threads})`);
  check(single.pairs.length >= n / 4 - 10, "the near copies were found");
  check(JSON.stringify(threaded.pairs) === JSON.stringify(single.pairs), "threads found the pairs of one thread");
  return `${label}: pair search on 2 threads, ${threaded.pairs.length} pairs`;
}

module.exports = { runScenario, checkThreadedPairSearch, check };
