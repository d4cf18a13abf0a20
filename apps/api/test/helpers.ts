import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Hono } from "hono";
import { afterAll, beforeAll } from "vitest";
import { type Database, projects, taskMemories } from "@memcons/models";
import { createTestDatabase, preferredTarget, type TestDatabase } from "@memcons/models/testing";
import { runConsolidation } from "@memcons/consolidation-core";
import type { JobHandlers } from "@memcons/scheduler";
import { sql } from "drizzle-orm";
import { type ApiEnv, type ApiOptions, createApiApp } from "../src/index.js";

/** The job handlers of a test runner: consolidation with the engine's offline embedder and synthesizer. */
export const TEST_JOB_HANDLERS: JobHandlers = {
  consolidation: (job, ctx) => runConsolidation(ctx.db, job.id, ctx),
};

export const TOKEN = "test-admin-token-0123456789";
export const OTHER_TOKEN = "second-admin-token";

/** A fresh migrated database (PostgreSQL when DATABASE_URL is set, else PGlite). */
export function openTestDatabase(): Promise<TestDatabase> {
  return createTestDatabase(preferredTarget(process.env.DATABASE_URL));
}

/** An app over `db` accepting TOKEN and OTHER_TOKEN. */
export function makeApp(db: Database, options: Partial<ApiOptions> = {}): OpenAPIHono<ApiEnv> {
  return createApiApp({ db, adminTokens: [TOKEN, OTHER_TOKEN], ...options });
}

/** Options of call(). */
export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  token?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A parsed response. */
export interface CallResult<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** Sends a request to the app in-process, authenticated with TOKEN unless told otherwise. */
export async function call<T = Record<string, unknown>>(
  app: Pick<OpenAPIHono<ApiEnv>, "request"> | Pick<Hono, "request">,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await app.request(path, { method, headers, body, signal: options.signal });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get("content-type") ?? "").includes("json") && text) parsed = JSON.parse(text);
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** Creates a project through the API and returns its id. */
export async function createProjectViaApi(
  app: OpenAPIHono<ApiEnv>,
  body: Record<string, unknown> = { name: "test project" },
): Promise<string> {
  const res = await call<{ id: string }>(app, "POST", "/api/v1/projects", { body });
  if (res.status !== 201) throw new Error(`create project failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

const SUBJECTS = ["retry", "cache", "database pool", "auth token", "rate limiter", "webhook", "migration", "logger"];

/** Realistic memory inputs; `groups` near-duplicate families of `perGroup` memories each. */
export function sampleMemories(groups: number, perGroup: number, tag = "t"): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let g = 0; g < groups; g++) {
    const subject = `${SUBJECTS[g % SUBJECTS.length]} ${g}`;
    for (let i = 0; i < perGroup; i++) {
      out.push({
        task_id: `TSK-${g}-${i}`,
        memory_type: "error_fix",
        execution_summary: `Fixed the ${subject} failure by adding a bounded retry with exponential backoff around the ${subject} client.`,
        goal: `Make the ${subject} integration reliable`,
        result: "Tests pass; no more flaky failures",
        tags: [tag, `group-${g}`, `item-${i}`],
        file_paths: [`src/${subject.replace(/\s+/g, "_")}.ts`],
        success: true,
      });
    }
  }
  return out;
}

/** Row counts and content checksums of every memcons table. */
export async function snapshotTables(db: Database): Promise<Record<string, string>> {
  const tables = [
    "projects",
    "task_memories",
    "consolidation_jobs",
    "consolidation_changes",
    "playbook_entries",
    "schedule_runs",
  ];
  const out: Record<string, string> = {};
  for (const table of tables) {
    const [row] = await db.rows<{ n: number | string; sum: string | null }>(
      sql.raw(`select count(*) as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum from memcons.${table} t`),
    );
    out[table] = `${row?.n}:${row?.sum}`;
  }
  return out;
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Marks the given memories archived directly in the database (as a job would). */
export async function archiveDirectly(db: Database, ids: string[]): Promise<void> {
  await db.orm
    .update(taskMemories)
    .set({ isArchived: true, archivedAt: new Date(), archiveReason: "manual" })
    .where(sql`${taskMemories.id} in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`);
}

/** Disables consolidation of a project directly in the database. */
export async function disableDirectly(db: Database, projectId: string): Promise<void> {
  await db.orm.update(projects).set({ consolidationEnabled: false }).where(sql`${projects.id} = ${projectId}::uuid`);
}

/** The database and app a test file shares; filled in by the hooks useTestApp registers. */
export interface TestApp {
  db: TestDatabase;
  app: OpenAPIHono<ApiEnv>;
}

/** Registers hooks that open a fresh database and app before the file's tests and drop the database after. */
export function useTestApp(): TestApp {
  const fixture = {} as TestApp;
  beforeAll(async () => {
    fixture.db = await openTestDatabase();
    fixture.app = makeApp(fixture.db);
  });
  afterAll(async () => {
    await fixture.db.close();
  });
  return fixture;
}
