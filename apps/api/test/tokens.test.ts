import { randomUUID } from "node:crypto";
import { apiTokens, type Logger } from "@memcons/models";
import { publishJobEvent } from "@memcons/scheduler";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApiToken, hashApiToken, revokeApiToken } from "../src/index.js";
import { call, createProjectViaApi, eventually, makeApp, sampleMemories, useTestApp } from "./helpers.js";

const fixture = useTestApp();

async function createToken(body: Record<string, unknown>): Promise<{ status: number; token: string; body: Record<string, unknown> }> {
  const res = await call<Record<string, unknown>>(fixture.app, "POST", "/api/v1/tokens", { body });
  return { status: res.status, token: String(res.body.token ?? ""), body: res.body };
}

describe("stored tokens", () => {
  it("shows a new token once, keeps only its SHA-256 and lists it without value or hash", async () => {
    const project = await createProjectViaApi(fixture.app);
    const created = await createToken({ name: "agent-list", scopes: ["memories:read"], project_ids: [project], expires_in_days: 30 });
    expect(created.status).toBe(201);
    expect(created.token).toMatch(/^mcs_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ name: "agent-list", scopes: ["memories:read"], project_ids: [project], status: "active" });
    expect(Date.parse(String(created.body.expires_at)) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const [row] = await fixture.db.orm.select().from(apiTokens).where(eq(apiTokens.name, "agent-list"));
    expect(row?.tokenHash).toBe(hashApiToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);

    const listed = await call<{ tokens: Array<Record<string, unknown>> }>(fixture.app, "GET", "/api/v1/tokens");
    expect(listed.status).toBe(200);
    const entry = listed.body.tokens.find((t) => t.name === "agent-list");
    expect(entry).toMatchObject({ status: "active", created_by: expect.stringMatching(/^admin:/) });
    expect(JSON.stringify(listed.body)).not.toContain(created.token);
    expect(JSON.stringify(listed.body)).not.toContain(row!.tokenHash);
  });

  it("refuses bad creations with validation_error or conflict", async () => {
    const project = await createProjectViaApi(fixture.app);
    expect((await createToken({ name: "bad scope", scopes: ["memories:read"] })).status).toBe(400);
    expect((await createToken({ name: "x1", scopes: ["memories:delete"] })).status).toBe(400);
    expect((await createToken({ name: "x2", scopes: [] })).status).toBe(400);
    const adminLimited = await createToken({ name: "x3", scopes: ["admin"], project_ids: [project] });
    expect(adminLimited.status).toBe(400);
    expect(adminLimited.body.message).toContain("admin scope");
    const unknownProject = await createToken({ name: "x4", scopes: ["memories:read"], project_ids: [randomUUID()] });
    expect(unknownProject.status).toBe(400);
    expect(unknownProject.body.message).toContain("no such project");
    expect((await createToken({ name: "x5", scopes: ["jobs:read"], expires_in_days: 0 })).status).toBe(400);
    expect((await createToken({ name: "dup", scopes: ["jobs:read"] })).status).toBe(201);
    const duplicate = await createToken({ name: "dup", scopes: ["jobs:read"] });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toBe("conflict");
    const names = (await call<{ tokens: Array<{ name: string }> }>(fixture.app, "GET", "/api/v1/tokens")).body.tokens.map((t) => t.name);
    expect(names.filter((n) => /^x\d$/.test(n))).toEqual([]);
  });

  it("answers 401 for unknown, revoked and expired tokens, and 404 when revoking an unknown name", async () => {
    const created = await createToken({ name: "short-lived", scopes: ["memories:read", "jobs:read"] });
    const projects = () => call(fixture.app, "GET", "/api/v1/projects", { token: created.token });
    expect((await projects()).status).toBe(200);
    expect((await call(fixture.app, "GET", "/api/v1/projects", { token: `${created.token}x` })).status).toBe(401);

    await fixture.db.orm.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.name, "short-lived"));
    const expired = await eventually(async () => {
      const res = await projects();
      return res.status === 401 ? res : undefined;
    }, 2000);
    expect(expired.body).toEqual({ error: "unauthorized", message: "The token 'short-lived' has expired" });

    const other = await createToken({ name: "to-revoke", scopes: ["memories:read"] });
    expect((await call(fixture.app, "GET", "/api/v1/projects", { token: other.token })).status).toBe(200);
    const revoked = await call<Record<string, unknown>>(fixture.app, "POST", "/api/v1/tokens/to-revoke/revoke");
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ name: "to-revoke", status: "revoked" });
    const started = Date.now();
    const refused = await eventually(async () => {
      const res = await call(fixture.app, "GET", "/api/v1/projects", { token: other.token });
      return res.status === 401 ? res : undefined;
    }, 2000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(refused.body).toEqual({ error: "unauthorized", message: "The token 'to-revoke' was revoked" });
    expect((await call(fixture.app, "POST", "/api/v1/tokens/no-such-token/revoke")).status).toBe(404);
  });

  it("records when a token was last used", async () => {
    const { token } = await createToken({ name: "used-once", scopes: ["jobs:read"] });
    expect((await call(fixture.app, "GET", "/api/v1/projects", { token })).status).toBe(200);
    const lastUsed = await eventually(async () => {
      const [row] = await fixture.db.orm.select().from(apiTokens).where(eq(apiTokens.name, "used-once"));
      return row?.lastUsedAt ?? undefined;
    });
    expect(Date.now() - lastUsed.getTime()).toBeLessThan(60_000);
  });

  it("lets only admin tokens manage tokens", async () => {
    const project = await createProjectViaApi(fixture.app);
    const { token } = await createApiToken(fixture.db, {
      name: "projects-admin",
      scopes: ["projects:admin", "memories:read", "memories:write", "jobs:read", "jobs:trigger", "jobs:rollback"],
      createdBy: "test",
    });
    for (const [method, path] of [["GET", "/api/v1/tokens"], ["POST", "/api/v1/tokens/projects-admin/revoke"]] as const) {
      const res = await call(fixture.app, method, path, { token });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: "forbidden" });
    }
    const res = await call(fixture.app, "POST", "/api/v1/tokens", { token, body: { name: "sneaky", scopes: ["admin"] } });
    expect(res.status).toBe(403);
    const { token: storedAdmin } = await createApiToken(fixture.db, { name: "ops-admin", scopes: ["admin"], createdBy: "test" });
    const made = await call<{ token: string; created_by: string }>(fixture.app, "POST", "/api/v1/tokens", {
      token: storedAdmin,
      body: { name: "made-by-ops", scopes: ["memories:read"], project_ids: [project] },
    });
    expect(made.status).toBe(201);
    expect(made.body.created_by).toBe("token:ops-admin");
  });
});

describe("project-limited tokens", () => {
  it("see only their projects in listings and event streams", async () => {
    const mine = await createProjectViaApi(fixture.app, { name: "mine" });
    const theirs = await createProjectViaApi(fixture.app, { name: "theirs" });
    const { token } = await createApiToken(fixture.db, {
      name: "lister",
      scopes: ["memories:read", "jobs:read"],
      projectIds: [mine],
      createdBy: "test",
    });
    const listed = await call<{ projects: Array<{ id: string }> }>(fixture.app, "GET", "/api/v1/projects?limit=100", { token });
    expect(listed.body.projects.map((p) => p.id)).toEqual([mine]);
    const all = await call<{ projects: Array<{ id: string }> }>(fixture.app, "GET", "/api/v1/projects?limit=100");
    expect(all.body.projects.map((p) => p.id)).toEqual(expect.arrayContaining([mine, theirs]));

    const controller = new AbortController();
    const response = await fixture.app.request("/api/v1/consolidation/events", {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 10_000;
      while (!text.includes(needle) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(": subscribed");
    const base = { status: "running" as const, progress: 0.5, at: new Date().toISOString(), phase: "merge" };
    const theirJob = randomUUID();
    const myJob = randomUUID();
    await publishJobEvent(fixture.db, { ...base, type: "progress", job_id: theirJob, project_id: theirs });
    await publishJobEvent(fixture.db, { ...base, type: "completed", job_id: myJob, project_id: mine });
    await readUntil(myJob);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    expect(text).toContain(myJob);
    expect(text).not.toContain(theirJob);
  });

  it("closes an open event stream soon after its token is revoked", async () => {
    const project = await createProjectViaApi(fixture.app);
    const { token } = await createApiToken(fixture.db, { name: "streamer", scopes: ["jobs:read"], projectIds: [project], createdBy: "test" });
    const response = await fixture.app.request(`/api/v1/consolidation/events?project_id=${project}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    await revokeApiToken(fixture.db, "streamer");
    const started = Date.now();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("record the token's name as triggered_by and changed_by, and log it but never the token", async () => {
    const lines: string[] = [];
    const capture = (level: string) => (fields: Record<string, unknown>, message?: string) => {
      lines.push(JSON.stringify({ level, ...fields, message }));
    };
    const logger: Logger = { debug: capture("debug"), info: capture("info"), warn: capture("warn"), error: capture("error") };
    const app = makeApp(fixture.db, { logger });
    const project = await createProjectViaApi(app);
    const { token } = await createApiToken(fixture.db, {
      name: "agent-7",
      scopes: ["memories:write", "jobs:trigger", "jobs:read"],
      projectIds: [project],
      createdBy: "test",
    });
    const ingest = await call<{ ids: string[] }>(app, "POST", `/api/v1/projects/${project}/memories`, {
      token,
      body: { memories: sampleMemories(1, 2) },
    });
    expect(ingest.status).toBe(201);
    const archived = await call(app, "POST", `/api/v1/projects/${project}/memories/archive`, {
      token,
      body: { memory_ids: [ingest.body.ids[0]], reason: "obsolete" },
    });
    expect(archived.status).toBe(200);
    const changes = await call<{ changes: Array<{ changed_by: string }> }>(app, "GET", `/api/v1/projects/${project}/changes`);
    expect(changes.body.changes.map((c) => c.changed_by)).toEqual(["token:agent-7"]);
    const trigger = await call<{ job_id: string }>(app, "POST", "/api/v1/consolidation/trigger", { token, body: { project_id: project } });
    expect(trigger.status).toBe(202);
    const status = await call<{ triggered_by: string }>(app, "GET", `/api/v1/consolidation/status/${trigger.body.job_id}`, { token });
    expect(status.body.triggered_by).toBe("token:agent-7");
    const logged = lines.join("\n");
    expect(logged).toContain('"actor":"token:agent-7"');
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(hashApiToken(token));
  });
});

describe("write rate limit", () => {
  it("answers 429 with Retry-After once a token exceeds its write budget, and leaves reads and other tokens alone", async () => {
    const app = makeApp(fixture.db, { writeRateLimit: { limit: 3, windowMs: 60_000 } });
    const project = await createProjectViaApi(app);
    const { token } = await createApiToken(fixture.db, { name: "busy-agent", scopes: ["memories:write", "memories:read"], createdBy: "test" });
    const { token: calm } = await createApiToken(fixture.db, { name: "calm-agent", scopes: ["memories:write"], createdBy: "test" });
    const write = (t: string) =>
      call(app, "POST", `/api/v1/projects/${project}/memories`, { token: t, body: { memories: sampleMemories(1, 1) } });
    for (let i = 0; i < 3; i++) expect((await write(token)).status).toBe(201);
    const limited = await write(token);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: "rate_limited" });
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await call(app, "GET", `/api/v1/projects/${project}/memories`, { token })).status).toBe(200);
    expect((await write(calm)).status).toBe(201);
  });
});
