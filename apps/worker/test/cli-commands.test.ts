import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createExtractiveSynthesizer, createHashingEmbedder } from "@memcons/consolidation-core";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { createDatabase, type Database, migrate, migrationStatus } from "@memcons/models";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "@memcons/models/testing";
import { createJobRunner, type JobRunner } from "@memcons/scheduler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoProject } from "../src/serve/demo.js";
import { jobHandlers } from "../src/worker/handlers.js";
import { CLI, waitFor } from "./helpers/processes.js";
import { cli } from "./helpers/cli.js";

const POSTGRES = process.env.DATABASE_URL;

describe(`memcons CLI commands (${POSTGRES ? "postgres" : "pglite"})`, () => {
  let env: Record<string, string>;
  let projectId: string;
  let cleanup: () => Promise<void>;
  let runner: JobRunner | null = null;
  /** Runs fn on the test database (opened and closed around it on PGlite, which one process holds at a time). */
  let withDb: <T>(fn: (db: Database) => Promise<T>) => Promise<T>;

  beforeAll(async () => {
    if (POSTGRES) {
      // A real server: the test's own runner plays the worker.
      const db: TestDatabase = await createTestDatabase({ driver: "postgres", adminUrl: POSTGRES });
      projectId = (await ensureDemoProject(db, { count: 80 })).project.id;
      runner = createJobRunner({ db, pollIntervalMs: 100, handlers: jobHandlers({ embedder: createHashingEmbedder(), synthesizer: createExtractiveSynthesizer(), actor: "test" }) });
      await runner.start();
      env = { DATABASE_URL: db.url };
      withDb = (fn) => fn(db);
      cleanup = async () => {
        await runner?.stop({ graceMs: 0 });
        await db.close();
      };
    } else {
      // PGlite: the database directory belongs to one process at a time, so seed it and close it.
      const dir = mkdtempSync(join(tmpdir(), "memcons-cli-"));
      const db: Database = await createDatabase(`pglite://${dir}`);
      await migrate(db);
      projectId = (await ensureDemoProject(db, { count: 80 })).project.id;
      await db.close();
      env = { DATABASE_URL: `pglite://${dir}` };
      withDb = async (fn) => {
        const opened = await createDatabase(`pglite://${dir}`);
        try {
          return await fn(opened);
        } finally {
          await opened.close();
        }
      };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  afterAll(async () => {
    await cleanup?.();
  });

  it("migrate says the schema is current", async () => {
    const r = await cli(["migrate"], env);
    expect(r).toMatchObject({ code: 0, stdout: "Database schema is current.\n" });
  });

  it("jobs is empty at first", async () => {
    expect(await cli(["jobs"], env)).toMatchObject({ code: 0, stdout: "No jobs.\n" });
    const r = await cli(["jobs", "--json"], env);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it("trigger --wait follows the job to completion; status, jobs and rollback see it", { timeout: 60_000 }, async () => {
    const trigger = await cli(["trigger", projectId, "--wait", "--option", "similarity_threshold=0.9"], env);
    expect(trigger.code, trigger.stderr).toBe(0);
    expect(trigger.stderr).toContain("100% completed");
    const job = JSON.parse(trigger.stdout) as { id: string; status: string; options: Record<string, unknown>; memories_merged: number };
    expect(job).toMatchObject({ status: "completed", options: { similarity_threshold: 0.9 } });
    expect(job.memories_merged).toBeGreaterThan(0);

    const status = await cli(["status", job.id], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: job.id, changes_by_operation: { merge: expect.any(Number) } });

    const table = await cli(["jobs", "--project", projectId, "--status", "completed"], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^JOB\s+PROJECT\s+STATUS/);
    expect(table.stdout).toContain(job.id);

    const rollback = await cli(["rollback", job.id, "--reason", "test"], env);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ success: true });
    const again = await cli(["rollback", job.id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already rolled back");
  });

  it("rollback lists the memories changed since the job and refuses; --force rolls back the rest", { timeout: 60_000 }, async () => {
    const trigger = await cli(["trigger", projectId, "--wait", "--option", "similarity_threshold=0.9"], env);
    expect(trigger.code, trigger.stderr).toBe(0);
    const job = JSON.parse(trigger.stdout) as { id: string; memories_merged: number };
    expect(job.memories_merged).toBeGreaterThan(0);
    // Someone edits a memory the job merged.
    const edited = await withDb(async (db) => {
      const [row] = await db.rows<{ memory_id: string }>(
        sql`SELECT c.memory_id FROM memcons.consolidation_changes c JOIN memcons.task_memories t ON t.id = c.memory_id
            WHERE c.consolidation_job_id = ${job.id}::uuid AND c.operation = 'merge' AND c.new_state IS NOT NULL
            ORDER BY c.memory_id LIMIT 1`,
      );
      const memoryId = String(row!.memory_id);
      await db.rows(
        sql`UPDATE memcons.task_memories SET execution_summary = execution_summary || ' (edited)', version = version + 1,
              updated_at = now() WHERE id = ${memoryId}::uuid`,
      );
      return memoryId;
    });

    const refused = await cli(["rollback", job.id], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain(`cannot roll back job ${job.id}: 1 memories changed after it ran`);
    expect(refused.stderr).toMatch(new RegExp(`^${edited}\\s+execution_summary$`, "m"));
    expect(refused.stderr).toContain(`memcons rollback ${job.id} --force`);
    const still = await cli(["status", job.id], env);
    expect(JSON.parse(still.stdout)).toMatchObject({ rolled_back_at: null });

    const forced = await cli(["rollback", job.id, "--force", "--reason", "keep the edit"], env);
    expect(forced.code, forced.stderr).toBe(0);
    const result = JSON.parse(forced.stdout) as { success: boolean; skipped: Array<{ memory_id: string; changed: string[] }>; memories_restored: number };
    expect(result.success).toBe(true);
    expect(result.skipped).toEqual([{ memory_id: edited, changed: ["execution_summary"] }]);
    expect(result.memories_restored).toBeGreaterThan(0);
    const kept = await withDb((db) =>
      db.rows<{ execution_summary: string }>(sql`SELECT execution_summary FROM memcons.task_memories WHERE id = ${edited}::uuid`),
    );
    expect(kept[0]?.execution_summary).toMatch(/ \(edited\)$/);
  });

  it("trigger without --wait prints the job and reports an active one as not created", async () => {
    const first = await cli(["trigger", projectId], env);
    expect(first.code, first.stderr).toBe(0);
    const body = JSON.parse(first.stdout) as { job_id: string; created: boolean };
    expect(body.created).toBe(true);
    if (!POSTGRES) {
      // Nothing runs the job on an idle embedded database: a second trigger returns the same one.
      const second = JSON.parse((await cli(["trigger", projectId], env)).stdout) as { job_id: string; created: boolean };
      expect(second).toEqual({ ...body, created: false, status: "pending", project_id: projectId });
    } else {
      // The test's runner takes the job: it ends before later tests read the project (its promotions would race them).
      const ended = await waitFor("the triggered job to end", () =>
        withDb(async (db) => {
          const [row] = await db.rows<{ status: string }>(sql`SELECT status FROM memcons.consolidation_jobs WHERE id = ${body.job_id}::uuid`);
          return row && !["pending", "running"].includes(row.status) ? row.status : undefined;
        }),
      );
      expect(ended).toBe("completed");
    }
  });

  it("fails with exit code 1 and a message for missing rows, bad options and bad configuration", async () => {
    const missing = await cli(["status", "00000000-0000-4000-8000-000000000000"], env);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toContain("not found");
    const project = await cli(["trigger", "00000000-0000-4000-8000-000000000000"], env);
    expect(project.code).toBe(1);
    expect(project.stderr).toContain("not found");
    const options = await cli(["trigger", projectId, "--option", "similarity_threshold=7"], env);
    expect(options.code).toBe(1);
    expect(options.stderr).toContain("similarity_threshold");
    const config = await cli(["jobs"], { ...env, WORKER_CONCURRENCY: "zero" });
    expect(config.code).toBe(1);
    expect(config.stderr).toContain("WORKER_CONCURRENCY");
  });

  it("refuses to start a worker on an invalid cron schedule or time zone, naming the variable", async () => {
    const schedule = await cli(["worker"], { ...env, PORT: "0", CONSOLIDATION_SCHEDULE: "every night" });
    expect(schedule.code).toBe(1);
    expect(schedule.stderr).toContain("CONSOLIDATION_SCHEDULE");
    const zone = await cli(["worker"], { ...env, PORT: "0", CONSOLIDATION_TIMEZONE: "Mars/Base" });
    expect(zone.code).toBe(1);
    expect(zone.stderr).toContain("CONSOLIDATION_TIMEZONE");
  });

  it("purge-audit deletes audit rows older than the retention and refuses when retention is off", async () => {
    // The rollback earlier in this file wrote audit rows today: none is old enough.
    const kept = await cli(["purge-audit"], env);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toEqual({ deleted: 0, older_than_days: 90 });
    const custom = await cli(["purge-audit", "--older-than-days", "7"], env);
    expect(JSON.parse(custom.stdout)).toEqual({ deleted: 0, older_than_days: 7 });
    const off = await cli(["purge-audit"], { ...env, AUDIT_RETENTION_DAYS: "0" });
    expect(off.code).toBe(1);
    expect(off.stderr).toContain("AUDIT_RETENTION_DAYS");
  });

  it("refuses to start a worker on an invalid audit purge schedule, naming the variable", async () => {
    const schedule = await cli(["worker"], { ...env, PORT: "0", AUDIT_PURGE_SCHEDULE: "weekly" });
    expect(schedule.code).toBe(1);
    expect(schedule.stderr).toContain("AUDIT_PURGE_SCHEDULE");
  });

  it("--version and -v print the worker package's version", async () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    for (const flag of ["--version", "-v", "version"]) {
      expect(await cli([flag], env)).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: "" });
    }
    // The built executable reads the package.json above dist/.
    const built = spawnSync(process.execPath, [CLI, "--version"], { encoding: "utf8" });
    expect({ status: built.status, stdout: built.stdout }).toEqual({ status: 0, stdout: `${manifest.version}\n` });
    const extra = await cli(["--version", "x"], env);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("Usage: memcons --version");
  });

  it("help <command> and <command> --help print that command's usage; a usage error prints the command's usage", async () => {
    const help = await cli(["help", "rollback"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: memcons rollback <jobId> \[--reason <text>\] \[--force\]\n/);
    expect(help.stdout).not.toContain("Commands:");
    expect(await cli(["rollback", "--help"], env)).toEqual(help);
    const tokens = await cli(["tokens", "create", "--help"], env);
    expect(tokens.stdout).toMatch(/^Usage: memcons tokens create --name <name>/);
    const bad = await cli(["trigger", projectId, "--colour"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^memcons: Unknown option '--colour'/);
    expect(bad.stderr).toContain("Usage: memcons trigger <projectId>");
    const unknown = await cli(["help", "frobnicate"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command 'frobnicate'");
    expect(unknown.stderr).toContain("Commands:");
  });

  it("migrate --print prints SQL that migrates an empty database, without touching DATABASE_URL", async () => {
    const printed = await cli(["migrate", "--print"], { DATABASE_URL: "postgres://nobody@127.0.0.1:1/nothing" });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^-- memcons database migrations/);
    expect(printed.stdout).toContain("create schema if not exists memcons;");
    expect(printed.stdout.trimEnd().endsWith("COMMIT;")).toBe(true);
    const pg = new PGlite();
    try {
      await pg.exec(printed.stdout);
      const db = await createDatabase(pg);
      const status = await migrationStatus(db);
      expect(status.pending).toEqual([]);
      expect(status.applied).toContain("0000_memcons_schema");
      expect(await migrate(db)).toMatchObject({ applied: [] });
      await db.close();
    } finally {
      await pg.close();
    }
    const skipped = await cli(["migrate", "--print", "--skip", "0000_memcons_schema"], {});
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain("-- Left out (applied elsewhere): 0000_memcons_schema");
    expect(skipped.stdout).not.toContain("'0000_memcons_schema'");
    expect(skipped.stdout).toContain("'0001_examine_audit'");
  });

  it("prints usage and exits 2 on usage errors, 0 on help", async () => {
    const bad = await cli(["jobs", "--nope"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Usage: memcons");
    const help = await cli(["help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("memcons trigger".replace("memcons ", ""));
  });
  it("reembed re-embeds a project with the configured embedder, reports progress, and has nothing left the second time", async () => {
    const v2 = { ...env, HASHING_EMBEDDER_VERSION: "2" };
    const first = await cli(["reembed", projectId], v2);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as { embedding_model: string; memories_reembedded: number; skipped: number };
    expect(result.embedding_model).toBe("hashing-v2-256");
    expect(result.memories_reembedded).toBeGreaterThanOrEqual(80);
    expect(first.stderr).toMatch(/^reembed hashing-v2-256: 0\/\d+$/m);
    const second = await cli(["reembed", projectId], v2);
    expect(JSON.parse(second.stdout)).toMatchObject({ memories_reembedded: 0, playbook_entries_reembedded: 0 });
    const all = await cli(["reembed", projectId, "--all"], v2);
    expect((JSON.parse(all.stdout) as { memories_reembedded: number }).memories_reembedded).toBe(
      result.memories_reembedded + result.skipped,
    );
    const missing = await cli(["reembed", "00000000-0000-4000-8000-000000000000"], v2);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("not found");
  });
});
