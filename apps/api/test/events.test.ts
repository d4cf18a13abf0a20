import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@memcons/models/testing";
import { type JobEvent, publishJobEvent } from "@memcons/scheduler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createProjectViaApi, makeApp, openTestDatabase, TOKEN } from "./helpers.js";

let db: TestDatabase;
let app: ReturnType<typeof makeApp>;

beforeAll(async () => {
  db = await openTestDatabase();
  app = makeApp(db, { sseHeartbeatMs: 100 });
});
afterAll(async () => {
  await db.close();
});

function event(projectId: string, type: JobEvent["type"] = "progress"): JobEvent {
  return { type, job_id: randomUUID(), project_id: projectId, status: "running", progress: 0.5, at: new Date().toISOString(), phase: "merge" };
}

/** Opens the stream and returns a reader that accumulates text until a predicate holds. */
async function openStream(query: string) {
  const controller = new AbortController();
  const response = await app.request(`/api/v1/consolidation/events${query}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    response,
    async readUntil(predicate: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(text)) {
        if (Date.now() > deadline) throw new Error(`stream did not deliver in time; got: ${text}`);
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    async close() {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}

describe("GET /api/v1/consolidation/events", () => {
  it("streams the project's job events as SSE and skips other projects", async () => {
    const mine = await createProjectViaApi(app);
    const other = randomUUID();
    const stream = await openStream(`?project_id=${mine}`);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toContain("text/event-stream");
    await stream.readUntil((t) => t.includes(": subscribed"));
    const theirs = event(other);
    const ours = event(mine, "completed");
    await publishJobEvent(db, theirs);
    await publishJobEvent(db, ours);
    const text = await stream.readUntil((t) => t.includes(ours.job_id));
    expect(text).toContain("event: completed");
    expect(text).not.toContain(theirs.job_id);
    const data = text.split("\n").find((line) => line.startsWith("data: ") && line.includes(ours.job_id))!;
    expect(JSON.parse(data.slice("data: ".length))).toEqual(ours);
    await stream.close();
  });

  it("streams every project without a filter and sends heartbeats", async () => {
    const stream = await openStream("");
    await stream.readUntil((t) => t.includes(": subscribed"));
    const a = event(randomUUID());
    const b = event(randomUUID());
    await publishJobEvent(db, a);
    await publishJobEvent(db, b);
    const text = await stream.readUntil((t) => t.includes(a.job_id) && t.includes(b.job_id) && t.includes(": heartbeat"));
    expect(text).toContain(": heartbeat");
    await stream.close();
  });

  it("keeps serving after a client disconnects", async () => {
    const first = await openStream("");
    await first.readUntil((t) => t.includes(": subscribed"));
    await first.close();
    const second = await openStream("");
    await second.readUntil((t) => t.includes(": subscribed"));
    const e = event(randomUUID());
    await publishJobEvent(db, e);
    await second.readUntil((t) => t.includes(e.job_id));
    await second.close();
  });

  it("rejects a bad or unknown project_id and a missing token", async () => {
    const bad = await call(app, "GET", "/api/v1/consolidation/events?project_id=abc");
    expect(bad.status).toBe(400);
    const unknown = await call(app, "GET", `/api/v1/consolidation/events?project_id=${randomUUID()}`);
    expect(unknown.status).toBe(404);
    const anonymous = await call(app, "GET", "/api/v1/consolidation/events", { token: null });
    expect(anonymous.status).toBe(401);
  });
});
