import { type Database, createDatabase } from "@memcons/models";
import { type TestDatabase, createTestDatabase, preferredTarget } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimJobs, reclaimExpiredJobs, triggerConsolidation } from "../src/index.js";
import { createProject, getJob } from "./helpers.js";

const url = process.env.DATABASE_URL;

/** Holds FOR KEY SHARE on a job row in an open transaction, as an audit insert's foreign key check does. */
async function holdKeyShare(handle: Database, jobId: string): Promise<{ release: () => Promise<void> }> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const locked = new Promise<void>((resolve, reject) => {
    handle.orm
      .transaction(async (tx) => {
        await tx.execute(sql`select 1 from memcons.consolidation_jobs where id = ${jobId} for key share`);
        resolve();
        await released;
      })
      .catch(reject);
  });
  await locked;
  return {
    release: async () => {
      release();
      await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}

describe.runIf(url)("claim and reclaim lock with FOR NO KEY UPDATE SKIP LOCKED", () => {
  let db: TestDatabase;
  let holder: Database;

  beforeAll(async () => {
    db = await createTestDatabase(preferredTarget(url));
    holder = await createDatabase(db.url, { maxConnections: 1 });
  });
  afterAll(async () => {
    await holder.close();
    await db.close();
  });

  it("claims a pending job whose row another transaction holds a key-share lock on", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    const lock = await holdKeyShare(holder, job.id);
    try {
      const claimed = await claimJobs(db, { workerId: "claimer", limit: 1, leaseMs: 5_000 });
      expect(claimed.map((c) => c.job.id)).toEqual([job.id]);
    } finally {
      await lock.release();
    }
  });

  it("reclaims an expired job whose frozen holder still holds a key-share lock on its row", async () => {
    const projectId = await createProject(db);
    const { job } = await triggerConsolidation(db, { projectId, triggerType: "manual" });
    await db.rows(sql`update memcons.consolidation_jobs set status = 'running', locked_by = 'frozen',
                        locked_until = now() - interval '1 second' where id = ${job.id}`);
    const lock = await holdKeyShare(holder, job.id);
    try {
      const reclaimed = await reclaimExpiredJobs(db);
      expect(reclaimed.map((c) => c.job.id)).toContain(job.id);
      const after = await getJob(db, job.id);
      expect(after.status).toBe("pending");
      expect(after.retryCount).toBe(1);
    } finally {
      await lock.release();
    }
  });
});
