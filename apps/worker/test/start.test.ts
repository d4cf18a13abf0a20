import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { apiClient } from "./helpers/api-client.js";
import { CLI, freePort, killAll, spawnCli, waitFor, waitForHttp } from "./helpers/processes.js";

const dataDir = mkdtempSync(join(tmpdir(), "memcons-start-"));

afterAll(async () => {
  await killAll();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("memcons start (embedded PGlite)", () => {
  it("serves the API and the worker, creates the demo project, consolidates it, and stops on SIGTERM", async () => {
    const apiPort = await freePort();
    const healthPort = await freePort();
    const env = {
      DATABASE_URL: `pglite://${dataDir}/fresh/.data/memcons`,
      API_PORT: String(apiPort),
      PORT: String(healthPort),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    };
    const start = spawnCli("start", ["start"], env);
    const api = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${api}/healthz`, start, 60_000);
    await waitForHttp(`http://127.0.0.1:${healthPort}/healthz`, start);
    const banner = await waitFor("the banner", async () =>
      start.output().includes("Press Ctrl+C") ? start.output() : undefined,
    );
    const token = /TOKEN=(\S+)/.exec(banner)?.[1];
    const project = /PROJECT=([0-9a-f-]{36})/.exec(banner)?.[1];
    expect(token, banner).toBeDefined();
    expect(project, banner).toBeDefined();
    expect(banner).toContain(`$API/api/v1/consolidation/trigger`);

    const client = apiClient(api, token!);
    const before = await client.get<{ memory_counts: { total: number; active: number } }>(`/api/v1/projects/${project}`);
    expect(before.status).toBe(200);
    expect(before.body.memory_counts.total).toBe(300);

    const trigger = await client.post<{ job_id: string }>("/api/v1/consolidation/trigger", { project_id: project });
    expect(trigger.status).toBe(202);
    const status = await waitFor(
      "the demo consolidation",
      async () => {
        const s = await client.get<Record<string, unknown>>(`/api/v1/consolidation/status/${trigger.body.job_id}`);
        return ["completed", "failed", "cancelled"].includes(String(s.body.status)) ? s.body : undefined;
      },
      90_000,
      250,
    );
    expect(status.status, JSON.stringify(status)).toBe("completed");
    expect(Number(status.memories_merged)).toBeGreaterThan(0);
    expect(Number(status.summaries_created)).toBeGreaterThan(0);
    expect(Number(status.memories_archived)).toBeGreaterThan(0);

    // The embedded database belongs to the running process: a second one refuses to open it.
    const second = spawnSync(process.execPath, [CLI, "jobs"], { env: { ...process.env, ...env }, encoding: "utf8" });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain("is in use by process");

    start.child.kill("SIGTERM");
    expect(await start.exited).toBe(0);

    // A second start reuses the data directory and the demo project.
    const again = spawnCli("start-again", ["start"], env);
    await waitForHttp(`${api}/healthz`, again, 60_000);
    const banner2 = await waitFor("the second banner", async () =>
      again.output().includes("Press Ctrl+C") ? again.output() : undefined,
    );
    expect(banner2).toContain(`PROJECT=${project}`);
    expect(banner2).toContain(`TOKEN=${token}`);
    expect(banner2).not.toContain("just created");
    again.child.kill("SIGINT");
    expect(await again.exited).toBe(0);
  }, 180_000);
});
