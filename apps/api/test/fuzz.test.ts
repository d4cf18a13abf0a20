import { randomUUID } from "node:crypto";
import { consolidationJobs } from "@memcons/models";
import type { TestDatabase } from "@memcons/models/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EventsQuerySchema,
  HistoryQuerySchema,
  ProjectChangesQuerySchema,
  RollbackSchema,
  TriggerSchema,
} from "../src/schemas/jobs.js";
import { ArchiveRequestSchema, ListMemoriesQuerySchema, MemoryChangesQuerySchema } from "../src/schemas/memories.js";
import { ConfigureSchema, CreateProjectSchema, ListProjectsQuerySchema } from "../src/schemas/projects.js";
import { ListPlaybookQuerySchema } from "../src/schemas/playbook.js";
import {
  anyText,
  brokenBody,
  contentTypes,
  ingestBody,
  missingOrMalformedId,
  queryString,
  rawBodies,
  segment,
  validMemory,
} from "./fuzz-arbitraries.js";
import { call, createProjectViaApi, makeApp, openTestDatabase, sampleMemories, snapshotTables, TOKEN } from "./helpers.js";

const RUNS = 250;

let db: TestDatabase;
let app: ReturnType<typeof makeApp>;
let projectId: string;
let jobId: string;
let memoryId: string;
let snapshot: Record<string, string>;
let requests = 0;

beforeAll(async () => {
  db = await openTestDatabase();
  app = makeApp(db);
  projectId = await createProjectViaApi(app, { name: "fuzzed", consolidation_threshold: 1000 });
  const ingested = await call<{ ids: string[] }>(app, "POST", `/api/v1/projects/${projectId}/memories`, {
    body: { memories: sampleMemories(3, 3) },
  });
  memoryId = ingested.body.ids[0]!;
  const [job] = await db.orm
    .insert(consolidationJobs)
    .values({ projectId, status: "completed", triggerType: "manual", completedAt: new Date(), progress: 1 })
    .returning();
  jobId = job!.id;
  snapshot = await snapshotTables(db);
});
afterAll(async () => {
  await db.close();
});

// ---------- requests ----------

async function expectClientError(method: string, path: string, init: { body?: unknown; raw?: string; contentType?: string; auth?: string | null } = {}) {
  requests += 1;
  const headers: Record<string, string> = {};
  if (init.contentType !== undefined && init.contentType !== "") headers["content-type"] = init.contentType;
  if (init.auth !== null) headers.authorization = init.auth ?? `Bearer ${TOKEN}`;
  const res = await call(app, method, path, {
    token: null,
    headers,
    ...(method === "GET" ? {} : init.raw !== undefined ? { rawBody: init.raw } : init.body !== undefined ? { body: init.body } : {}),
  });
  if (res.status < 400 || res.status >= 500) {
    throw new Error(`${method} ${path} ${JSON.stringify(init)} → ${res.status} ${JSON.stringify(res.body)}`);
  }
  expect(typeof res.body.error).toBe("string");
  expect(typeof res.body.message).toBe("string");
}

const property = (arb: fc.Arbitrary<() => Promise<void>>) =>
  fc.assert(
    fc.asyncProperty(arb, (run) => run()),
    { numRuns: RUNS },
  );

/** Bad query strings on a project's listing, and any query on a malformed or unknown project id. */
const badListingRequests = (path: (id: string) => string, schema: Parameters<typeof queryString>[0], keys: string[]) =>
  fc.oneof(
    queryString(schema, keys, true).map((q) => () => expectClientError("GET", `${path(projectId)}${q}`)),
    fc
      .tuple(missingOrMalformedId, queryString(schema, keys, false))
      .map(([id, q]) => () => expectClientError("GET", `${path(segment(id))}${q}`)),
  );

describe("malformed input never yields a 5xx or a write", { timeout: 90_000 }, () => {
  it("POST /api/v1/projects", async () => {
    await property(
      fc.oneof(
        brokenBody(CreateProjectSchema, { name: "p" }, ["name", "consolidation_enabled", "consolidation_threshold"]).map(
          (body) => () => expectClientError("POST", "/api/v1/projects", { body, contentType: "application/json" }),
        ),
        fc.tuple(rawBodies, contentTypes).map(([raw, contentType]) => () =>
          expectClientError("POST", "/api/v1/projects", { raw, contentType }),
        ),
      ),
    );
  });

  it("GET /api/v1/projects and /api/v1/projects/{id}", async () => {
    await property(
      fc.oneof(
        queryString(ListProjectsQuerySchema, ["limit", "cursor"], true).map((q) => () => expectClientError("GET", `/api/v1/projects${q}`)),
        missingOrMalformedId.map((id) => () => expectClientError("GET", `/api/v1/projects/${segment(id)}`)),
      ),
    );
  });

  it("POST /api/v1/projects/{id}/memories", async () => {
    await property(
      fc.oneof(
        fc.tuple(fc.oneof(fc.constant(projectId), missingOrMalformedId), ingestBody).map(([id, body]) => () =>
          expectClientError("POST", `/api/v1/projects/${segment(id)}/memories`, { body, contentType: "application/json" }),
        ),
        fc.tuple(missingOrMalformedId, fc.constant({ memories: [validMemory] })).map(([id, body]) => () =>
          expectClientError("POST", `/api/v1/projects/${segment(id)}/memories`, { body, contentType: "application/json" }),
        ),
        fc.tuple(rawBodies, contentTypes).map(([raw, contentType]) => () =>
          expectClientError("POST", `/api/v1/projects/${projectId}/memories`, { raw, contentType }),
        ),
      ),
    );
  });

  it("POST /api/v1/projects/{id}/memories/archive and /unarchive", async () => {
    await property(
      fc.oneof(
        fc
          .tuple(
            fc.oneof(fc.constant(projectId), missingOrMalformedId),
            fc.constantFrom("archive", "unarchive"),
            brokenBody(ArchiveRequestSchema, { memory_ids: [randomUUID()], reason: "r" }, ["memory_ids", "reason"]),
          )
          .map(([id, action, body]) => () =>
            expectClientError("POST", `/api/v1/projects/${segment(id)}/memories/${action}`, { body, contentType: "application/json" }),
          ),
        fc.tuple(missingOrMalformedId, fc.constantFrom("archive", "unarchive")).map(([id, action]) => () =>
          expectClientError("POST", `/api/v1/projects/${segment(id)}/memories/${action}`, {
            body: { memory_ids: [randomUUID()] },
            contentType: "application/json",
          }),
        ),
      ),
    );
  });

  it("GET /api/v1/projects/{id}/memories", async () => {
    const keys = ["q", "memory_type", "include_archived", "include_duplicates", "limit", "cursor"];
    await property(badListingRequests((id) => `/api/v1/projects/${id}/memories`, ListMemoriesQuerySchema, keys));
  });

  it("GET /api/v1/projects/{id}/memories/{memory_id}/changes", async () => {
    await property(
      fc.oneof(
        queryString(MemoryChangesQuerySchema, ["limit"], true).map((q) => () =>
          expectClientError("GET", `/api/v1/projects/${projectId}/memories/${memoryId}/changes${q}`),
        ),
        fc
          .tuple(fc.oneof(fc.constant(projectId), missingOrMalformedId), missingOrMalformedId)
          .map(([id, memory]) => () => expectClientError("GET", `/api/v1/projects/${segment(id)}/memories/${segment(memory)}/changes`)),
      ),
    );
  });

  it("GET /api/v1/projects/{id}/playbook", async () => {
    const keys = ["category", "tag", "limit", "cursor"];
    await property(badListingRequests((id) => `/api/v1/projects/${id}/playbook`, ListPlaybookQuerySchema, keys));
  });

  it("GET /api/v1/projects/{id}/changes", async () => {
    const keys = ["from", "to", "operation", "source", "limit", "cursor"];
    await property(badListingRequests((id) => `/api/v1/projects/${id}/changes`, ProjectChangesQuerySchema, keys));
  });

  it("POST /api/v1/consolidation/trigger", async () => {
    await property(
      fc.oneof(
        brokenBody(TriggerSchema, { project_id: projectId, options: { similarity_threshold: 0.9 } }, ["project_id", "options"]).map(
          (body) => () => expectClientError("POST", "/api/v1/consolidation/trigger", { body, contentType: "application/json" }),
        ),
        fc.uuid().map((id) => () =>
          expectClientError("POST", "/api/v1/consolidation/trigger", { body: { project_id: id }, contentType: "application/json" }),
        ),
        fc.tuple(rawBodies, contentTypes).map(([raw, contentType]) => () =>
          expectClientError("POST", "/api/v1/consolidation/trigger", { raw, contentType }),
        ),
      ),
    );
  });

  it("GET /api/v1/consolidation/status/{job_id} and POST …/jobs/{job_id}/cancel", async () => {
    await property(
      fc.tuple(fc.oneof(missingOrMalformedId), fc.boolean()).map(([id, cancel]) => () =>
        cancel
          ? expectClientError("POST", `/api/v1/consolidation/jobs/${segment(id)}/cancel`)
          : expectClientError("GET", `/api/v1/consolidation/status/${segment(id)}`),
      ),
    );
    await expectClientError("POST", `/api/v1/consolidation/jobs/${jobId}/cancel`);
  });

  it("GET /api/v1/consolidation/history/{project_id}", async () => {
    const keys = ["from", "to", "operation", "status", "limit", "cursor"];
    await property(badListingRequests((id) => `/api/v1/consolidation/history/${id}`, HistoryQuerySchema, keys));
  });

  it("POST /api/v1/consolidation/rollback", async () => {
    await property(
      fc.oneof(
        brokenBody(RollbackSchema, { consolidation_id: jobId, reason: "r" }, ["consolidation_id", "reason"]).map(
          (body) => () => expectClientError("POST", "/api/v1/consolidation/rollback", { body, contentType: "application/json" }),
        ),
        fc.uuid().map((id) => () =>
          expectClientError("POST", "/api/v1/consolidation/rollback", { body: { consolidation_id: id }, contentType: "application/json" }),
        ),
        fc.tuple(rawBodies, contentTypes).map(([raw, contentType]) => () =>
          expectClientError("POST", "/api/v1/consolidation/rollback", { raw, contentType }),
        ),
      ),
    );
  });

  it("POST /api/v1/consolidation/configure/{project_id}", async () => {
    await property(
      fc.oneof(
        fc
          .tuple(
            fc.oneof(fc.constant(projectId), missingOrMalformedId),
            brokenBody(ConfigureSchema, { enabled: true, threshold: 100, options: { min_cluster_size: 3 } }, ["enabled", "threshold", "options"]),
          )
          .map(([id, body]) => () =>
            expectClientError("POST", `/api/v1/consolidation/configure/${segment(id)}`, { body, contentType: "application/json" }),
          ),
        fc.uuid().map((id) => () =>
          expectClientError("POST", `/api/v1/consolidation/configure/${id}`, { body: { enabled: false }, contentType: "application/json" }),
        ),
      ),
    );
  });

  it("GET /api/v1/consolidation/events with a bad or unknown project_id", async () => {
    await property(
      missingOrMalformedId.map((id) => () =>
        expectClientError("GET", `/api/v1/consolidation/events?${new URLSearchParams({ project_id: id })}`),
      ),
    );
    expect(EventsQuerySchema.safeParse({ project_id: "x" }).success).toBe(false);
  });

  it("bad credentials and unknown routes", async () => {
    const routes: Array<[string, string]> = [
      ["GET", "/api/v1/projects"],
      ["POST", "/api/v1/projects"],
      ["GET", `/api/v1/projects/${projectId}`],
      ["POST", "/api/v1/consolidation/trigger"],
      ["POST", "/api/v1/consolidation/rollback"],
      ["GET", `/api/v1/consolidation/status/${jobId}`],
      ["GET", "/api/v1/consolidation/events"],
    ];
    await property(
      fc.oneof(
        fc.tuple(fc.constantFrom(...routes), fc.oneof(fc.constant(null), anyText.map((s) => `Bearer ${s}`), anyText)).map(
          ([[method, path], auth]) => () =>
            expectClientError(method, path, {
              auth: auth === null ? null : auth.replace(/[^\x20-\x7e]/g, ""),
              body: { name: "never created" },
              contentType: "application/json",
            }),
        ),
        fc
          .tuple(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"), anyText)
          .map(([method, tail]) => () =>
            expectClientError(method, `/api/v1/${segment(tail)}/${randomUUID()}/zz`, { body: {}, contentType: "application/json" }),
          ),
      ),
    );
  });

  it("left every table exactly as it was", async () => {
    expect(requests).toBeGreaterThan(2_000);
    expect(await snapshotTables(db)).toEqual(snapshot);
  });
});
