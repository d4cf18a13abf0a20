import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { sql } from "drizzle-orm";
import type { Database, Driver } from "../database.js";
import { createDatabase } from "../database.js";
import { migrate } from "../migrate.js";
import { ValidationError } from "../errors.js";

/** A migrated, isolated database for one test file; close() also drops it. */
export interface TestDatabase extends Database {
  /** URL other connections (or processes) can use to reach the same PostgreSQL database; `pglite://memory` (a new, empty database if opened again) on PGlite. */
  readonly url: string;
}

/** Where test databases come from. */
export interface TestDatabaseOptions {
  /** `postgres` needs `adminUrl`; `pglite` runs in memory. */
  driver: Driver;
  /** A URL to an existing PostgreSQL database with CREATE DATABASE rights. */
  adminUrl?: string;
  /** Skip migrations (for tests of migrate itself). */
  migrate?: boolean;
  /** Pool size of the returned handle. */
  maxConnections?: number;
}

/** Creates an isolated, migrated database: its own PostgreSQL database, or an in-memory PGlite. */
export async function createTestDatabase(options: TestDatabaseOptions): Promise<TestDatabase> {
  if (options.driver === "pglite") {
    const database = await createDatabase("pglite://memory");
    if (options.migrate !== false) await migrate(database);
    return { ...database, url: "pglite://memory" };
  }
  if (!options.adminUrl) {
    throw new ValidationError("createTestDatabase: the postgres driver needs adminUrl", [
      { path: "adminUrl", message: "required when driver is postgres" },
    ]);
  }
  const name = `memcons_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await withAdmin(options.adminUrl, (admin) => admin.rows(sqlRaw(`create database "${name}"`)));
  const url = replaceDatabaseName(options.adminUrl, name);
  const database = await createDatabase(url, { maxConnections: options.maxConnections ?? 10 });
  if (options.migrate !== false) await migrate(database);
  return {
    ...database,
    url,
    async close() {
      await database.close();
      await withAdmin(options.adminUrl as string, (admin) =>
        admin.rows(sqlRaw(`drop database if exists "${name}" with (force)`)),
      );
    },
  };
}

/** A driver the test suite should run against, with its admin URL. */
export interface TestTarget {
  driver: Driver;
  adminUrl?: string;
}

/** Drivers to run driver-agnostic tests on: always PGlite, plus PostgreSQL when a URL is given. */
export function testTargets(postgresUrl: string | undefined): TestTarget[] {
  const targets: TestTarget[] = [{ driver: "pglite" }];
  if (postgresUrl) targets.push({ driver: "postgres", adminUrl: postgresUrl });
  return targets;
}

/** The target for tests that need a real server: PostgreSQL when a URL is given, else PGlite. */
export function preferredTarget(postgresUrl: string | undefined): TestTarget {
  return postgresUrl ? { driver: "postgres", adminUrl: postgresUrl } : { driver: "pglite" };
}

/** Minimal shape of the vitest objects the reporter reads. */
interface ReportedTest {
  fullName: string;
  result(): { state: string };
}
interface ReportedModule {
  moduleId: string;
  children: { allTests(): Iterable<ReportedTest> };
}

/** Vitest reporter that fails the run when any test was skipped (CI uses it to prove PostgreSQL tests ran)
 *  and, given `summaryFile`, writes the pass/fail/skip counts there as JSON. */
export class NoSkippedTestsReporter {
  readonly #enabled: boolean;
  readonly #summaryFile: string | undefined;

  constructor(options: { enabled: boolean; summaryFile?: string | undefined }) {
    this.#enabled = options.enabled;
    this.#summaryFile = options.summaryFile;
  }

  /** Called by vitest once every test has run. */
  onTestRunEnd(modules: ReadonlyArray<ReportedModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skipped: string[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed += 1;
        else if (state === "failed") counts.failed += 1;
        else {
          counts.skipped += 1;
          skipped.push(`${module.moduleId} > ${test.fullName}`);
        }
      }
    }
    if (this.#summaryFile) {
      mkdirSync(dirname(this.#summaryFile), { recursive: true });
      writeFileSync(this.#summaryFile, JSON.stringify(counts));
    }
    if (!this.#enabled || skipped.length === 0) return;
    process.stderr.write(
      `\n${skipped.length} test(s) were skipped, but this run requires every test (including PostgreSQL ones) to run:\n  ${skipped.join("\n  ")}\n`,
    );
    process.exitCode = 1;
  }
}

async function withAdmin<T>(adminUrl: string, fn: (admin: Database) => Promise<T>): Promise<T> {
  const admin = await createDatabase(adminUrl, { maxConnections: 1 });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

function replaceDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function sqlRaw(text: string) {
  return sql.raw(text);
}

export { type FaultProxy, startFaultProxy } from "./fault-proxy.js";
export { planNodes } from "./plan.js";
