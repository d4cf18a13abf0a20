import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestDatabase } from "@memcons/models/testing";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeBasePath } from "../src/app.js";
import { call, makeApp, openTestDatabase } from "./helpers.js";

interface Spec {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, unknown> };
}

let db: TestDatabase;
let app: ReturnType<typeof makeApp>;
let spec: Spec;

beforeAll(async () => {
  db = await openTestDatabase();
  app = makeApp(db);
  spec = (await call<Spec>(app, "GET", "/openapi.json", { token: null })).body;
});
afterAll(async () => {
  await db.close();
});

/** The document, reference and console pages: served beside the API, not part of it. */
const PAGE_ROUTES = /^\/(openapi\.json$|docs($|\/)|ui($|\/))/;

/** Routes the app serves, as "METHOD /openapi/{path}", without middleware and the document routes. */
function servedRoutes(): string[] {
  const routes = app.routes
    .filter((r) => r.method !== "ALL" && !r.path.endsWith("*") && !PAGE_ROUTES.test(r.path))
    .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`);
  return [...new Set(routes)].sort();
}

describe("/openapi.json", () => {
  it("documents every served route, and only those", () => {
    const documented = Object.entries(spec.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(servedRoutes());
    expect(documented).toEqual(
      expect.arrayContaining([
        "POST /api/v1/consolidation/trigger",
        "GET /api/v1/consolidation/status/{job_id}",
        "GET /api/v1/consolidation/history/{project_id}",
        "POST /api/v1/consolidation/rollback",
        "POST /api/v1/consolidation/jobs/{job_id}/cancel",
        "POST /api/v1/consolidation/configure/{project_id}",
        "GET /api/v1/consolidation/events",
        "GET /api/v1/consolidation/jobs/{job_id}/changes",
        "GET /api/v1/consolidation/schedule",
        "POST /api/v1/projects",
        "GET /api/v1/projects",
        "GET /api/v1/projects/{id}",
        "POST /api/v1/projects/{id}/memories",
        "GET /api/v1/projects/{id}/memories",
        "POST /api/v1/projects/{id}/memories/archive",
        "POST /api/v1/projects/{id}/memories/unarchive",
        "GET /api/v1/projects/{id}/memories/{memory_id}/changes",
        "GET /api/v1/projects/{id}/playbook",
        "GET /api/v1/projects/{id}/changes",
        "GET /api/v1/projects/{id}/proposals",
        "GET /api/v1/consolidation/proposals/{proposal_id}",
        "POST /api/v1/consolidation/proposals/{proposal_id}/approve",
        "POST /api/v1/consolidation/proposals/{proposal_id}/reject",
        "GET /api/v1/consolidation/plans/{job_id}",
        "POST /api/v1/consolidation/plans/{job_id}/apply",
        "POST /api/v1/consolidation/plans/{job_id}/discard",
        "GET /healthz",
        "GET /readyz",
      ]),
    );
  });

  it("marks every /api/v1 operation as needing the bearer token and health as public", () => {
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const operation of Object.values(item)) {
        if (path.startsWith("/api/v1/")) {
          expect(operation.security, path).toEqual([{ bearerAuth: [] }]);
          expect(operation.responses, path).toHaveProperty("401");
        } else {
          expect(operation.security, path).toEqual([]);
        }
        expect(operation.operationId, path).toMatch(/^[a-zA-Z]+$/);
      }
    }
  });

  it("passes redocly lint", () => {
    const dir = mkdtempSync(join(tmpdir(), "memcons-openapi-"));
    try {
      const file = join(dir, "openapi.json");
      writeFileSync(file, JSON.stringify(spec, null, 2));
      const result = spawnSync("pnpm", ["exec", "redocly", "lint", file, "--format=stylish"], {
        cwd: join(import.meta.dirname, ".."),
        encoding: "utf8",
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        timeout: 60_000,
      });
      const output = `${result.stdout}\n${result.stderr}`;
      expect(result.status, output).toBe(0);
      expect(output).not.toMatch(/\berror\b.*\(\w[\w-]*\)/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe("createApiApp mounted under a prefix (basePath)", () => {
  it("advertises servers [{url: '/'}] by default", async () => {
    const document = (await call<{ servers: Array<{ url: string }> }>(app, "GET", "/openapi.json", { token: null })).body;
    expect(document.servers.map((s) => s.url)).toEqual(["/"]);
  });

  it("serves every route under the prefix and advertises it in servers and the /docs links", async () => {
    const host = new Hono();
    host.get("/", (c) => c.text("host app"));
    host.route("/memcons", makeApp(db, { basePath: "/memcons/" }));
    const document = (await call<{ servers: Array<{ url: string }>; paths: Record<string, unknown> }>(host, "GET", "/memcons/openapi.json", { token: null })).body;
    expect(document.servers.map((s) => s.url)).toEqual(["/memcons"]);
    // Paths stay relative to the server URL.
    expect(Object.keys(document.paths)).toContain("/api/v1/projects");
    const projects = await call<{ projects: unknown[] }>(host, "GET", "/memcons/api/v1/projects");
    expect(projects.status).toBe(200);
    expect(Array.isArray(projects.body.projects)).toBe(true);
    expect((await call(host, "GET", "/memcons/api/v1/projects", { token: null })).status).toBe(401);
    const page = await host.request("/memcons/docs");
    const html = await page.text();
    expect(html).toContain('href="/memcons/openapi.json"');
    expect(html).toContain('src="/memcons/docs/assets/swagger-ui-bundle.js"');
    expect(await (await host.request("/memcons/docs/assets/init.js")).text()).toContain('url: "/memcons/openapi.json"');
    expect((await host.request("/memcons/docs/assets/swagger-ui.css")).status).toBe(200);
    const console = await host.request("/memcons/ui");
    expect(console.headers.get("location")).toBe("/memcons/ui/");
    expect(await (await host.request("/")).text()).toBe("host app");
  });

  it("refuses a basePath that is not a path", () => {
    for (const basePath of ["memcons", "/a b", "https://example.com/x"]) {
      expect(() => makeApp(db, { basePath })).toThrow(/Invalid basePath/);
    }
    expect(normalizeBasePath("/")).toBe("");
    expect(normalizeBasePath("/a/b/")).toBe("/a/b");
  });
});
