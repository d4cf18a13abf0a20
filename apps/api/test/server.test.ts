import { describe, expect, it } from "vitest";
import { startApiServer } from "../src/index.js";
import { TOKEN, useTestApp } from "./helpers.js";

const fixture = useTestApp();

describe("startApiServer", () => {
  it("serves the fixture.app over HTTP on an ephemeral port and closes", async () => {
    const server = await startApiServer({ app: fixture.app, port: 0, hostname: "127.0.0.1" });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const health = await fetch(`${server.url}/healthz`);
      expect(await health.json()).toEqual({ status: "ok" });
      const created = await fetch(`${server.url}/api/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "over http" }),
      });
      expect(created.status).toBe(201);
      const tooBig = await fetch(`${server.url}/api/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "x".repeat(6 * 1024 * 1024) }),
      });
      expect(tooBig.status).toBe(413);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it("closes even while an event stream is open", async () => {
    const server = await startApiServer({ app: fixture.app, port: 0 });
    const response = await fetch(`${server.url}/api/v1/consolidation/events`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain(": subscribed");
    const started = Date.now();
    await server.close({ graceMs: 200 });
    expect(Date.now() - started).toBeLessThan(5_000);
    await reader.cancel().catch(() => undefined);
  });

  it("rejects when the port is taken", async () => {
    const server = await startApiServer({ app: fixture.app, port: 0, hostname: "127.0.0.1" });
    try {
      await expect(startApiServer({ app: fixture.app, port: server.port, hostname: "127.0.0.1" })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await server.close();
    }
  });
});
