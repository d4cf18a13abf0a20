import { randomUUID } from "node:crypto";
import { API_SCOPES, type ApiScope, consolidationJobs, consolidationProposals } from "@memcons/models";
import type { TestDatabase } from "@memcons/models/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, ROUTE_RULES, type RouteRule } from "../src/index.js";
import { call, createProjectViaApi, makeApp, openTestDatabase } from "./helpers.js";

let db: TestDatabase;
let app: ReturnType<typeof makeApp>;
let projectA: string;
let projectB: string;
const jobs: Record<string, string> = {};
const proposals: Record<string, string> = {};
let operations: Array<{ method: string; path: string }>;

/** One token per scope, valid for every project or limited to project A. */
const tokens: Array<{ scope: ApiScope; limited: boolean; token: string }> = [];

beforeAll(async () => {
  db = await openTestDatabase();
  app = makeApp(db);
  projectA = await createProjectViaApi(app, { name: "project A" });
  projectB = await createProjectViaApi(app, { name: "project B" });
  for (const project of [projectA, projectB]) {
    const [job] = await db.orm
      .insert(consolidationJobs)
      .values({ projectId: project, triggerType: "manual", status: "completed", completedAt: new Date() })
      .returning();
    jobs[project] = job!.id;
    const members = [randomUUID(), randomUUID()].sort();
    const [proposal] = await db.orm
      .insert(consolidationProposals)
      .values({
        projectId: project,
        memberIds: members,
        memberVersions: [1, 1],
        memberKey: members.join(","),
        minSimilarity: 0.8,
        reason: "borderline",
      })
      .returning();
    proposals[project] = proposal!.id;
  }
  for (const scope of API_SCOPES) {
    for (const limited of [false, true]) {
      if (limited && scope === "admin") continue; // refused at creation (tested in tokens.test.ts)
      const { token } = await createApiToken(db, {
        name: `${scope.replace(":", "-")}${limited ? "-a" : "-all"}`,
        scopes: [scope],
        projectIds: limited ? [projectA] : null,
        createdBy: "test",
      });
      tokens.push({ scope, limited, token });
    }
  }
  const document = (await call<{ paths: Record<string, Record<string, unknown>> }>(app, "GET", "/openapi.json")).body;
  operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
}, 120_000);

afterAll(async () => {
  await db.close();
});

/** A request for the route about `project`: its project in the path, query or body where the rule says so. */
function requestFor(
  method: string,
  path: string,
  rule: RouteRule,
  project: string,
): { url: string; body?: Record<string, unknown> } {
  const source = rule.project;
  const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (source.kind === "path" && source.param === name) return project;
    if (source.kind === "path-job" && source.param === name) return jobs[project]!;
    if (source.kind === "path-proposal" && source.param === name) return proposals[project]!;
    return name === "name" ? "no-such-token" : randomUUID();
  });
  if (source.kind === "query") return { url: `${url}?${source.param}=${project}` };
  if (source.kind === "body") return { url, body: { [source.field]: project } };
  if (source.kind === "body-job") return { url, body: { [source.field]: jobs[project] } };
  return method === "GET" ? { url } : { url, body: {} };
}

/** Sends one request; an event stream is closed as soon as its status is known. */
async function send(
  method: string,
  url: string,
  token: string,
  body: Record<string, unknown> | undefined,
): Promise<{ status: number; body: unknown }> {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body) headers["content-type"] = "application/json";
  const response = await app.request(url, {
    method,
    headers,
    signal: controller.signal,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    controller.abort();
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, body: null };
  }
  const text = await response.text();
  return { status: response.status, body: text.startsWith("{") ? JSON.parse(text) : text };
}

/** Whether a token with only `scope` (limited to project A or not) may call the route about `project`. */
function expectedAllowed(rule: RouteRule, scope: ApiScope, limited: boolean, project: string): boolean {
  if (!(scope === "admin" || rule.scopes.includes(scope))) return false;
  if (!limited) return true;
  if (rule.project.kind === "none") return false;
  if (rule.project.kind === "listing") return true;
  return project === projectA;
}

describe("route × scope × project", () => {
  it("has an access rule for every operation of the OpenAPI document, and no rule without an operation", () => {
    const documented = operations.map((o) => `${o.method} ${o.path}`);
    expect(documented.length).toBeGreaterThan(15);
    expect(documented.filter((key) => !ROUTE_RULES[key])).toEqual([]);
    expect(Object.keys(ROUTE_RULES).filter((key) => !documented.includes(key))).toEqual([]);
  });

  it("documents each rule's scopes in the OpenAPI document", async () => {
    const document = (await call<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(app, "GET", "/openapi.json")).body;
    for (const { method, path } of operations) {
      const rule = ROUTE_RULES[`${method} ${path}`]!;
      const operation = document.paths[path]![method.toLowerCase()]!;
      if (rule.public) continue;
      expect(operation["x-memcons-scopes"], `${method} ${path}`).toEqual(rule.scopes);
      expect(Object.keys(operation.responses as object), `${method} ${path}`).toContain("403");
    }
  });

  it("answers public routes without a token and everything else 401 without one", async () => {
    for (const { method, path } of operations) {
      const rule = ROUTE_RULES[`${method} ${path}`]!;
      const { url, body } = requestFor(method, path, rule, projectA);
      const res = await call(app, method, url, { token: null, ...(body ? { body } : {}) });
      if (rule.public) expect([200, 503], `${method} ${path}`).toContain(res.status);
      else expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it("lets each scope through exactly where its rule allows, for its own project only", async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const { method, path } of operations) {
      const rule = ROUTE_RULES[`${method} ${path}`]!;
      if (rule.public) continue;
      for (const { scope, limited, token } of tokens) {
        for (const project of [projectA, projectB]) {
          const { url, body } = requestFor(method, path, rule, project);
          const res = await send(method, url, token, body);
          const allowed = expectedAllowed(rule, scope, limited, project);
          const label = `${method} ${path} scope=${scope} limited=${limited} project=${project === projectA ? "A" : "B"}`;
          checked += 1;
          if (allowed && (res.status === 401 || res.status === 403)) mismatches.push(`${label}: ${res.status} but allowed`);
          if (!allowed) {
            if (res.status !== 403) mismatches.push(`${label}: ${res.status} but forbidden`);
            else if ((res.body as { error?: string }).error !== "forbidden") mismatches.push(`${label}: body ${JSON.stringify(res.body)}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(400);
  }, 300_000);
});
