import { createTestDatabase, preferredTarget } from "@memcons/models/testing";
import { describe, expect, it } from "vitest";
import { createApiApp } from "../src/index.js";
import { call, createProjectViaApi, makeApp, OTHER_TOKEN, openTestDatabase, useTestApp } from "./helpers.js";

const fixture = useTestApp();

describe("health", { timeout: 60_000 }, () => {
  it("GET /healthz answers ok without a token", async () => {
    const res = await call(fixture.app, "GET", "/healthz", { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("GET /readyz is ready when the database is migrated", async () => {
    const res = await call(fixture.app, "GET", "/readyz", { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ready", migrations: "current" });
  });

  it("GET /readyz answers 503 when migrations are pending", async () => {
    const bare = await createTestDatabase({ ...preferredTarget(process.env.DATABASE_URL), migrate: false });
    try {
      const res = await call(makeApp(bare), "GET", "/readyz", { token: null });
      expect(res.status).toBe(503);
      expect(res.body.error).toBe("not_ready");
      expect(String(res.body.message)).toMatch(/pending migrations/i);
    } finally {
      await bare.close();
    }
  });

  it("GET /readyz answers 503 when the database is closed", async () => {
    const doomed = await openTestDatabase();
    const doomedApp = makeApp(doomed);
    await doomed.close();
    const res = await call(doomedApp, "GET", "/readyz", { token: null });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: "not_ready", message: "Database unreachable" });
  });
});

describe("authentication", () => {
  const path = "/api/v1/projects";

  it("rejects a request without a token", async () => {
    const res = await call(fixture.app, "GET", path, { token: null });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("unauthorized");
    expect(typeof res.body.message).toBe("string");
  });

  it("rejects a wrong token, a token of another length and a non-bearer scheme", async () => {
    for (const headers of [
      { authorization: "Bearer wrong" },
      { authorization: "Bearer test-admin-token-012345678X" },
      { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
      { authorization: "Bearer" },
      { authorization: "Bearer a b" },
    ]) {
      const res = await call(fixture.app, "GET", path, { token: null, headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.body.error).toBe("unauthorized");
    }
  });

  it("accepts every configured token, case-insensitive scheme", async () => {
    expect((await call(fixture.app, "GET", path)).status).toBe(200);
    expect((await call(fixture.app, "GET", path, { token: OTHER_TOKEN })).status).toBe(200);
    const lower = await call(fixture.app, "GET", path, { token: null, headers: { authorization: `bearer ${OTHER_TOKEN}` } });
    expect(lower.status).toBe(200);
  });

  it("rejects everything when no token is configured", async () => {
    const closed = createApiApp({ db: fixture.db, adminTokens: [] });
    expect((await call(closed, "GET", path)).status).toBe(401);
    expect((await call(closed, "GET", path, { token: "" })).status).toBe(401);
    expect((await call(closed, "GET", "/healthz", { token: null })).status).toBe(200);
  });

  it("protects unknown routes under /api/v1 too", async () => {
    expect((await call(fixture.app, "GET", "/api/v1/nope", { token: null })).status).toBe(401);
    const res = await call(fixture.app, "GET", "/api/v1/nope");
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
  });

  it("records the token fingerprint as the actor of a manual trigger", async () => {
    const projectId = await createProjectViaApi(fixture.app);
    const res = await call<{ job_id: string }>(fixture.app, "POST", "/api/v1/consolidation/trigger", {
      body: { project_id: projectId },
    });
    expect(res.status).toBe(202);
    const status = await call(fixture.app, "GET", `/api/v1/consolidation/status/${res.body.job_id}`);
    expect(status.body.triggered_by).toMatch(/^admin:[0-9a-f]{12}$/);
    expect(String(status.body.triggered_by)).not.toContain("test-admin-token");
  });
});

describe("request errors", () => {
  it("answers 400 for malformed JSON", async () => {
    const res = await call(fixture.app, "POST", "/api/v1/projects", {
      rawBody: '{"name": ',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("validation_error");
  });

  it("answers 400 for a wrong or missing content type", async () => {
    for (const headers of [{ "content-type": "text/plain" }, { "content-type": "application/x-www-form-urlencoded" }, {}] as Array<Record<string, string>>) {
      const res = await call(fixture.app, "POST", "/api/v1/projects", { rawBody: '{"name":"x"}', headers });
      expect(res.status, JSON.stringify(headers)).toBe(400);
      expect(res.body.error).toBe("validation_error");
    }
  });

  it("answers 400 for a missing body", async () => {
    const res = await call(fixture.app, "POST", "/api/v1/projects", { headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("validation_error");
  });

  it("names the offending fields", async () => {
    const res = await call(fixture.app, "POST", "/api/v1/projects", { body: { name: "", consolidation_threshold: 5, x: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("validation_error");
    expect(String(res.body.message)).toContain("request body");
    expect(String(res.body.message)).toMatch(/name/);
    expect(String(res.body.message)).toMatch(/consolidation_threshold/);
  });

  it("answers 400 for malformed UUIDs in the path", async () => {
    for (const path of [
      "/api/v1/projects/not-a-uuid",
      "/api/v1/consolidation/status/123",
      "/api/v1/consolidation/status/%E0%A4%A",
      "/api/v1/consolidation/history/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
    ]) {
      const res = await call(fixture.app, "GET", path);
      expect(res.status, path).toBe(400);
      expect(res.body.error).toBe("validation_error");
    }
  });

  it("answers 413 for a body over the limit", async () => {
    const small = makeApp(fixture.db, { bodyLimitBytes: 1024 });
    const res = await call(small, "POST", "/api/v1/projects", { body: { name: "x".repeat(2000) } });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("payload_too_large");
    const chunked = await small.request("/api/v1/projects", {
      method: "POST",
      headers: { authorization: "Bearer test-admin-token-0123456789", "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`{"name":"${"y".repeat(4000)}"}`));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it("answers 404 for unknown routes outside /api/v1", async () => {
    const res = await call(fixture.app, "GET", "/nowhere", { token: null });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
  });
});

describe("documentation", () => {
  it("serves /openapi.json and /docs without a token", async () => {
    const spec = await call(fixture.app, "GET", "/openapi.json", { token: null });
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe("3.1.0");
    const docs = await fixture.app.request("/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toContain("text/html");
    const html = await docs.text();
    expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
    expect(html).toContain('href="/openapi.json"');
  });
});
