import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { startApiServer } from "../src/index.js";
import { TOKEN, call, createProjectViaApi, makeApp, sampleMemories, useTestApp } from "./helpers.js";

const fixture = useTestApp();

/** Sends raw bytes as a JSON body over HTTP (the in-process client would re-encode them). */
async function postBytes(url: string, bytes: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("reliability of the API", () => {
  it("answers the status of a job whose id is written in upper case", async () => {
    const projectId = await createProjectViaApi(fixture.app);
    const trigger = await call<{ job_id: string }>(fixture.app, "POST", "/api/v1/consolidation/trigger", {
      body: { project_id: projectId },
    });
    expect(trigger.status).toBe(202);
    const upper = await call<{ job_id: string }>(
      fixture.app,
      "GET",
      `/api/v1/consolidation/status/${trigger.body.job_id.toUpperCase()}`,
    );
    expect(upper.status).toBe(200);
    expect(upper.body.job_id).toBe(trigger.body.job_id);
    await call(fixture.app, "POST", `/api/v1/consolidation/cancel/${trigger.body.job_id}`);
  });

  it("refuses a JSON body that is not valid UTF-8 with 400, storing nothing", async () => {
    const server = await startApiServer({ app: fixture.app, port: 0, hostname: "127.0.0.1" });
    try {
      const bytes = Buffer.concat([Buffer.from('{"name":"bad '), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      const answer = await postBytes(`${server.url}/api/v1/projects`, bytes);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: "validation_error", message: "Invalid request body: not valid UTF-8" });
      const [row] = await fixture.db.rows<{ n: number }>(
        sql`select count(*)::int as n from memcons.projects where name like 'bad %'`,
      );
      expect(row?.n).toBe(0);
      const good = await postBytes(`${server.url}/api/v1/projects`, Buffer.from('{"name":"café"}'));
      expect(good.status).toBe(201);
    } finally {
      await server.close();
    }
  });

  it("shutdown: an event stream gets a final shutdown event and an in-flight request still gets its answer", async () => {
    const controller = new AbortController();
    const app = makeApp(fixture.db, { shutdown: controller.signal });
    // A slow handler stands in for a long request (a rollback) in flight during shutdown.
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    app.get("/slow", async (c) => {
      await slow;
      return c.json({ done: true });
    });
    const server = await startApiServer({ app, port: 0, hostname: "127.0.0.1", onClose: () => controller.abort() });
    const stream = await fetch(`${server.url}/api/v1/consolidation/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const reader = stream.body!.getReader();
    await reader.read();
    const inFlight = fetch(`${server.url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = server.close({ graceMs: 10_000 });
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: shutdown");
    release();
    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    await closing;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it("answers 409 with the conflicting memories and what changed; force rolls back the rest", async () => {
    const projectId = await createProjectViaApi(fixture.app);
    const ingest = await call(fixture.app, "POST", `/api/v1/projects/${projectId}/memories`, {
      body: { memories: sampleMemories(2, 3, "rb") },
    });
    expect(ingest.status).toBe(201);
    const [job] = await fixture.db.rows<{ id: string }>(
      sql`insert into memcons.consolidation_jobs (project_id, trigger_type) values (${projectId}, 'manual') returning id`,
    );
    const { runConsolidation } = await import("@memcons/consolidation-core");
    await runConsolidation(fixture.db, job!.id);
    await fixture.db.rows(sql`update memcons.consolidation_jobs set status = 'completed', completed_at = now() where id = ${job!.id}`);
    const [source] = await fixture.db.rows<{ id: string }>(
      sql`select memory_id as id from memcons.consolidation_changes
          where consolidation_job_id = ${job!.id} and operation = 'merge' and previous_state is not null limit 1`,
    );
    await fixture.db.rows(
      sql`update memcons.task_memories set feedback = 'edited by hand', version = version + 1, updated_at = now() where id = ${source!.id}`,
    );
    const refused = await call<{ error: string; conflicts: Array<{ memory_id: string; changed: string[] }> }>(
      fixture.app,
      "POST",
      "/api/v1/consolidation/rollback",
      { body: { consolidation_id: job!.id } },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe("conflict");
    expect(refused.body.conflicts).toEqual([{ memory_id: source!.id, changed: ["feedback"] }]);
    const forced = await call<{ success: boolean; skipped: Array<{ memory_id: string }> }>(
      fixture.app,
      "POST",
      "/api/v1/consolidation/rollback",
      { body: { consolidation_id: job!.id, force: true } },
    );
    expect(forced.status).toBe(200);
    expect(forced.body.skipped.map((s) => s.memory_id)).toEqual([source!.id]);
  });
});

