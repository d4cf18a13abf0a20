import { AIProviderError, type Embedder } from "@memcons/consolidation-core";
import type { Logger } from "@memcons/models";
import type { TestDatabase } from "@memcons/models/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { taskMemories } from "@memcons/models";
import { eq } from "drizzle-orm";
import { call, createProjectViaApi, makeApp, openTestDatabase } from "./helpers.js";

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});

function failingEmbedder(error: Error): Embedder {
  return {
    model: "failing",
    dimensions: 8,
    async embed() {
      throw error;
    },
  };
}

function recordingLogger() {
  const entries: Array<{ level: string; fields: Record<string, unknown>; message?: string }> = [];
  const log = (level: string) => (fields: Record<string, unknown>, message?: string) => {
    entries.push({ level, fields, ...(message === undefined ? {} : { message }) });
  };
  const logger: Logger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
  return { logger, entries };
}

const memory = { memories: [{ memory_type: "learning", execution_summary: "x" }] };

describe("failures that are not the client's", () => {
  it("answers 502 when the embedding provider fails", async () => {
    const app = makeApp(db, { embedder: failingEmbedder(new AIProviderError("provider answered 500", { status: 500, permanent: false })) });
    const projectId = await createProjectViaApi(app);
    const res = await call(app, "POST", `/api/v1/projects/${projectId}/memories`, { body: memory });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: "ai_provider_error", message: "provider answered 500" });
  });

  it("answers 502 to ingest (storing nothing) and search when the embedder returns the wrong number or size of vectors", async () => {
    const cases: Array<[string, (texts: readonly string[]) => Float32Array[]]> = [
      ["returned 1 vectors for 2 texts", (texts) => texts.slice(1).map(() => new Float32Array(8))],
      ["a vector of 3 dimensions instead of 8", (texts) => texts.map(() => new Float32Array(3))],
    ];
    for (const [message, embed] of cases) {
      const embedder: Embedder = { model: "odd", dimensions: 8, embed: async (texts) => embed(texts) };
      const app = makeApp(db, { embedder });
      const projectId = await createProjectViaApi(app);
      const res = await call(app, "POST", `/api/v1/projects/${projectId}/memories`, {
        body: { memories: [memory.memories[0], { memory_type: "warning", execution_summary: "y" }] },
      });
      expect(res.status).toBe(502);
      expect(res.body.error).toBe("ai_provider_error");
      expect(String(res.body.message)).toContain(message);
      expect(await db.orm.select().from(taskMemories).where(eq(taskMemories.projectId, projectId))).toEqual([]);
      const search = await call(app, "GET", `/api/v1/projects/${projectId}/memories?q=cache`);
      expect(search.status).toBe(502);
    }
  });

  it("turns an unexpected error into 500 internal_error and logs it", async () => {
    const { logger, entries } = recordingLogger();
    const app = makeApp(db, { embedder: failingEmbedder(new Error("boom")), logger });
    const projectId = await createProjectViaApi(app);
    const res = await call(app, "POST", `/api/v1/projects/${projectId}/memories`, { body: memory });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: "internal_error", message: "Internal server error" });
    const logged = entries.find((e) => e.level === "error");
    expect(logged?.fields).toMatchObject({ method: "POST", path: `/api/v1/projects/${projectId}/memories` });
    expect((logged!.fields.err as Error).message).toBe("boom");
    expect(entries.some((e) => e.level === "debug" && e.fields.status === 500)).toBe(true);
  });

  describe.runIf(process.env.DATABASE_URL)("on PostgreSQL", () => {
    it("answers 503 with Retry-After when the database connection is gone", async () => {
      const doomed = await openTestDatabase();
      const app = makeApp(doomed);
      const projectId = await createProjectViaApi(app);
      await doomed.close();
      const res = await call(app, "GET", `/api/v1/projects/${projectId}`);
      expect(res.status).toBe(503);
      expect(res.body.error).toBe("unavailable");
      expect(res.headers.get("retry-after")).toBe("1");
    });
  });
});
