import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { consolidationJobs } from "@memcons/models";
import { createTestDatabase, type TestDatabase } from "@memcons/models/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, nearDuplicateMemories } from "./helpers/api-client.js";
import { CLI, freePort, killAll, spawnCli, waitForHttp } from "./helpers/processes.js";

const ADMIN_URL = process.env.DATABASE_URL;
const ADMIN_TOKEN = "tokens-e2e-admin-token-0123456789";
const run = promisify(execFile);

/**
 * Least-privilege access as deployed: two API processes on one PostgreSQL database, an agent token made
 * with the real CLI, and its revocation (also through the CLI) reaching both processes within a second.
 */
describe.runIf(ADMIN_URL)("end to end: a project-limited agent token across two API processes", () => {
  let db: TestDatabase;
  const urls: string[] = [];

  async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", DATABASE_URL: db.url, LOG_LEVEL: "warn" },
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase({ driver: "postgres", adminUrl: ADMIN_URL! });
    for (const name of ["api-1", "api-2"]) {
      const port = await freePort();
      const proc = spawnCli(name, ["api"], {
        DATABASE_URL: db.url,
        HOST: "127.0.0.1",
        API_PORT: String(port),
        API_ADMIN_TOKENS: ADMIN_TOKEN,
        CONSOLIDATION_THRESHOLD: "1000",
        LOG_LEVEL: "warn",
      });
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, proc);
      urls.push(`http://127.0.0.1:${port}`);
    }
  }, 90_000);

  afterAll(async () => {
    await killAll();
    await db?.close();
  });

  it("works on its project only, and is refused by both processes within a second of memcons tokens revoke", { timeout: 90_000 }, async () => {
    const admin = apiClient(urls[0]!, ADMIN_TOKEN);
    const projectA = (await admin.post<{ id: string }>("/api/v1/projects", { name: "agent-project" })).body.id;
    const projectB = (await admin.post<{ id: string }>("/api/v1/projects", { name: "someone-elses-project" })).body.id;
    const [job] = await db.orm
      .insert(consolidationJobs)
      .values({ projectId: projectA, triggerType: "manual", status: "completed", completedAt: new Date() })
      .returning();

    const created = await cli(
      "tokens", "create", "--name", "agent-a", "--project", projectA, "--scope", "memories:read", "--scope", "memories:write",
    );
    const token = created.stdout.trim();
    expect(token).toMatch(/^mcs_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain("shown only this once");
    const agents = urls.map((url) => apiClient(url, token));

    const ingest = await agents[0]!.post<{ count: number }>(`/api/v1/projects/${projectA}/memories`, {
      memories: nearDuplicateMemories(2, 2, "agent"),
    });
    expect(ingest.status).toBe(201);
    expect(ingest.body.count).toBe(4);
    const search = await agents[1]!.get<{ memories: Array<{ similarity: number }> }>(
      `/api/v1/projects/${projectA}/memories?q=${encodeURIComponent("session cookie login test")}&limit=3`,
    );
    expect(search.status).toBe(200);
    expect(search.body.memories.length).toBeGreaterThan(0);
    expect(search.body.memories[0]!.similarity).toBeGreaterThan(0);

    for (const agent of agents) {
      const other = await agent.post(`/api/v1/projects/${projectB}/memories`, { memories: nearDuplicateMemories(1, 1, "b") });
      expect(other.status).toBe(403);
      expect(other.body).toMatchObject({ error: "forbidden" });
      expect((await agent.get(`/api/v1/projects/${projectB}/memories`)).status).toBe(403);
      const rollback = await agent.post("/api/v1/consolidation/rollback", { consolidation_id: job!.id });
      expect(rollback.status).toBe(403);
      expect(rollback.body).toMatchObject({ error: "forbidden" });
    }

    const listed = await cli("tokens", "list");
    expect(listed.stdout).toMatch(/agent-a\s+active\s+memories:read,memories:write/);
    expect(listed.stdout).not.toContain(token);

    const revoked = await cli("tokens", "revoke", "agent-a");
    const revokedAt = Date.now();
    expect(JSON.parse(revoked.stdout)).toMatchObject({ name: "agent-a", status: "revoked" });
    const refusedAfter = await Promise.all(
      agents.map(async (agent) => {
        for (;;) {
          const res = await agent.get(`/api/v1/projects/${projectA}/memories`);
          if (res.status === 401) return Date.now() - revokedAt;
          expect(res.status).toBe(200);
          if (Date.now() - revokedAt > 5000) return Number.POSITIVE_INFINITY;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
    );
    for (const ms of refusedAfter) expect(ms).toBeLessThan(1000);
    const refused = await agents[1]!.post(`/api/v1/projects/${projectA}/memories`, { memories: nearDuplicateMemories(1, 1, "late") });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: "unauthorized", message: "The token 'agent-a' was revoked" });
  });

  it("refuses bad command lines with exit code 2 and duplicate names with exit code 1", { timeout: 60_000 }, async () => {
    await expect(cli("tokens", "create", "--name", "x")).rejects.toMatchObject({ code: 2 });
    await expect(cli("tokens", "create", "--name", "x", "--scope", "memories:delete")).rejects.toMatchObject({ code: 2 });
    await expect(cli("tokens", "frobnicate")).rejects.toMatchObject({ code: 2 });
    await cli("tokens", "create", "--name", "ops", "--scope", "admin", "--json");
    await expect(cli("tokens", "create", "--name", "ops", "--scope", "admin")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("already exists"),
    });
    await expect(cli("tokens", "revoke", "nobody")).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("No API token") });
  });
});
