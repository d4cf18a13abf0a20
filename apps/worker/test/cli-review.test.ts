import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Embedder, runConsolidation } from "@memcons/consolidation-core";
import { createDatabase, type Database, migrate } from "@memcons/models";
import { createTestDatabase } from "@memcons/models/testing";
import { createJobRunner, type JobRunner } from "@memcons/scheduler";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./helpers/cli.js";

const POSTGRES = process.env.DATABASE_URL;

const tiny: Embedder = { model: "tiny-3", dimensions: 3, embed: async (texts) => texts.map(() => Float32Array.from([1, 0, 0])) };
const TEXTS: Record<string, string> = {
  a1: "Keep the build green before merging.",
  a2: "Keep the build green before a merge.",
  b1: "Run the linter before every commit.",
  b2: "Run the linter before committing code.",
  c: "Invoices are computed in integer cents.",
};
const VECTORS: Record<string, number[]> = { a1: [1, 0, 0], a2: [1, 0, 0], b1: [0, 1, 0], b2: [0, 0.8, 0.6], c: [0, 0, 1] };

/** A project with a review tier and five memories: a1/a2 identical, b1/b2 borderline (0.8), c alone. */
async function seedProject(db: Database, name: string): Promise<string> {
  const [project] = await db.rows<{ id: string }>(
    sql`INSERT INTO memcons.projects (name, consolidation_options)
        VALUES (${name}, ${JSON.stringify({ review_threshold: 0.7, archive_enabled: false, promote_enabled: false })}::jsonb) RETURNING id`,
  );
  const projectId = (project as { id: string }).id;
  for (const [key, v] of Object.entries(VECTORS)) {
    await db.rows(
      sql`INSERT INTO memcons.task_memories (project_id, task_id, memory_type, execution_summary, context_embedding, embedding_model, reused_count)
          VALUES (${projectId}::uuid, ${key}, 'learning', ${TEXTS[key] as string}, ${`{${v.join(",")}}`}::real[], 'tiny-3', 5)`,
    );
  }
  return projectId;
}

/** Runs one job on the project with the tiny embedder, to the end. */
async function runJobOn(db: Database, projectId: string, options: Record<string, unknown>): Promise<string> {
  const [job] = await db.rows<{ id: string }>(
    sql`INSERT INTO memcons.consolidation_jobs (project_id, trigger_type, options) VALUES (${projectId}::uuid, 'manual', ${JSON.stringify(options)}::jsonb) RETURNING id`,
  );
  const jobId = (job as { id: string }).id;
  await runConsolidation(db, jobId, { embedder: tiny });
  await db.rows(sql`UPDATE memcons.consolidation_jobs SET status = 'completed', completed_at = now() WHERE id = ${jobId}::uuid`);
  return jobId;
}

describe(`memcons review commands (${POSTGRES ? "postgres" : "pglite"})`, () => {
  let env: Record<string, string>;
  let reviewed: string;
  let planned: string;
  let dryRun: string;
  let cleanup: () => Promise<void>;
  let runner: JobRunner | null = null;

  beforeAll(async () => {
    const prepare = async (db: Database) => {
      reviewed = await seedProject(db, "cli review");
      await runJobOn(db, reviewed, {});
      planned = await seedProject(db, "cli plan");
      dryRun = await runJobOn(db, planned, { dry_run: true });
    };
    if (POSTGRES) {
      const db = await createTestDatabase({ driver: "postgres", adminUrl: POSTGRES });
      await prepare(db);
      runner = createJobRunner({ db, pollIntervalMs: 100, handlers: { consolidation: (job, ctx) => runConsolidation(ctx.db, job.id, { signal: ctx.signal }) } });
      await runner.start();
      env = { DATABASE_URL: db.url };
      cleanup = async () => {
        await runner?.stop({ graceMs: 0 });
        await db.close();
      };
    } else {
      const dir = mkdtempSync(join(tmpdir(), "memcons-cli-review-"));
      const db = await createDatabase(`pglite://${dir}`);
      await migrate(db);
      await prepare(db);
      await db.close();
      env = { DATABASE_URL: `pglite://${dir}` };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  afterAll(async () => {
    await cleanup?.();
  });

  it("lists proposals, approves one into a merging job, and refuses to decide it twice", { timeout: 60_000 }, async () => {
    const table = await cli(["proposals", reviewed], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^PROPOSAL\s+STATUS\s+REASON\s+WEAKEST/);
    expect(table.stdout).toMatch(/pending\s+borderline\s+0\.800\s+2/);
    const listed = JSON.parse((await cli(["proposals", reviewed, "--json", "--status", "pending"], env)).stdout) as Array<{ id: string }>;
    expect(listed).toHaveLength(1);
    const id = (listed[0] as { id: string }).id;

    const approve = await cli(["approve", id, "--wait"], env);
    expect(approve.code, approve.stderr).toBe(0);
    const job = JSON.parse(approve.stdout) as { status: string; memories_merged: number; scope: Record<string, unknown>; triggered_by: string };
    expect(job).toMatchObject({ status: "completed", memories_merged: 2, scope: { proposal_id: id } });
    expect(job.triggered_by).toMatch(/^cli:/);
    const reject = await cli(["reject", id], env);
    expect(reject.code).toBe(1);
    expect(reject.stderr).toContain("already approved");
    expect((await cli(["proposals", reviewed, "--status", "rejected"], env)).stdout).toBe("No proposals.\n");
  });

  it("prints a dry run's plan, applies it, and refuses to discard it afterwards", { timeout: 60_000 }, async () => {
    const plan = await cli(["plan", dryRun, "--kind", "merge"], env);
    expect(plan.code, plan.stderr).toBe(0);
    const body = JSON.parse(plan.stdout) as { plan: { status: string; summary: { clusters: number } }; items: Array<{ kind: string; memory_ids: string[] }> };
    expect(body.plan).toMatchObject({ status: "ready", summary: { clusters: 1 } });
    expect(body.items.map((i) => [i.kind, i.memory_ids.length])).toEqual([["merge", 2]]);

    const apply = await cli(["apply-plan", dryRun, "--wait"], env);
    expect(apply.code, apply.stderr).toBe(0);
    expect(JSON.parse(apply.stdout)).toMatchObject({ status: "completed", memories_merged: 2, scope: { plan_job_id: dryRun } });
    const discard = await cli(["discard-plan", dryRun], env);
    expect(discard.code).toBe(1);
    expect(discard.stderr).toContain("already applied");
  });

  it("trigger --dry-run stores a plan that plan prints", { timeout: 60_000 }, async () => {
    const trigger = await cli(["trigger", planned, "--dry-run", "--wait"], env);
    expect(trigger.code, trigger.stderr).toBe(0);
    const job = JSON.parse(trigger.stdout) as { id: string; options: Record<string, unknown>; memories_merged: number };
    expect(job).toMatchObject({ options: { dry_run: true }, memories_merged: 0 });
    const plan = await cli(["plan", job.id], env);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ plan: { job_id: job.id, status: "ready" } });
    const missing = await cli(["plan", "3f1c2a9e-8b7d-4c1e-9a0f-5d2e6b7c8a91"], env);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toContain("No dry-run plan");
  });
});
