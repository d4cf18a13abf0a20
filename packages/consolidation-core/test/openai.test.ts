import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TaskMemory } from "@memcons/models";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "@memcons/models/testing";
import {
  AIProviderError,
  EmbeddingDimensionError,
  createHashingEmbedder,
  createOpenAIEmbedder,
  createOpenAISynthesizer,
  runConsolidation,
} from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { seedFixture } from "./helpers.js";

type Handler = (body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse) => void;

const FAST_RETRY = { retries: 2, factor: 1, minTimeoutMs: 5, maxTimeoutMs: 10, jitter: false };
let server: Server;
let baseUrl: string;
let handler: Handler;
let requests: Array<{ path: string; body: Record<string, unknown>; auth: string | undefined }>;

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = "";
    req.on("data", (chunk: Buffer) => {
      data += chunk.toString();
    });
    req.on("end", () => {
      const body = JSON.parse(data || "{}") as Record<string, unknown>;
      requests.push({ path: req.url ?? "", body, auth: req.headers.authorization });
      handler(body, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = [];
});

const embeddings = (input: unknown, dims: number) => ({
  data: (input as string[]).map((_, index) => ({ index, embedding: Array.from({ length: dims }, (_, k) => (k === index % dims ? 1 : 0)) })),
});

describe("OpenAI-compatible embedder", () => {
  it("posts batches to /embeddings with the key and returns vectors in order", async () => {
    handler = (body, _req, res) => reply(res, 200, { data: [...embeddings(body.input, 4).data].reverse() });
    const embedder = createOpenAIEmbedder({ baseUrl, model: "text-embedding-3-small", apiKey: "sk-test", dimensions: 4, batchSize: 2 });
    const vectors = await embedder.embed(["a", "b", "c"]);
    expect(vectors.map((v) => Array.from(v))).toEqual([[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]]);
    expect(requests.map((r) => r.path)).toEqual(["/v1/embeddings", "/v1/embeddings"]);
    expect(requests[0]?.auth).toBe("Bearer sk-test");
    expect(requests[0]?.body).toMatchObject({ model: "text-embedding-3-small", input: ["a", "b"], dimensions: 4 });
    // A paid provider's answers are saved at once unless the caller opts out.
    expect(embedder.storeImmediately).toBe(true);
    expect(createOpenAIEmbedder({ baseUrl, model: "m", dimensions: 4, storeImmediately: false }).storeImmediately).toBe(false);
  });

  it("retries 429 and 5xx with the shared retry policy, then succeeds", async () => {
    let calls = 0;
    handler = (body, _req, res) => {
      calls++;
      if (calls === 1) return reply(res, 429, { error: "slow down" });
      if (calls === 2) return reply(res, 503, { error: "unavailable" });
      reply(res, 200, embeddings(body.input, 2));
    };
    const embedder = createOpenAIEmbedder({ baseUrl, model: "m", dimensions: 2, retryPolicy: FAST_RETRY });
    expect(await embedder.embed(["x"])).toHaveLength(1);
    expect(calls).toBe(3);
  });

  it("does not retry other 4xx and throws a permanent typed error", async () => {
    handler = (_body, _req, res) => reply(res, 401, { error: "bad key" });
    const embedder = createOpenAIEmbedder({ baseUrl, model: "m", dimensions: 2, retryPolicy: FAST_RETRY });
    const error = await embedder.embed(["x"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AIProviderError);
    expect((error as AIProviderError).status).toBe(401);
    expect((error as AIProviderError).permanent).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it("gives up after the retries with a transient error, and times out slow answers", async () => {
    handler = (_body, _req, res) => reply(res, 500, "oops");
    const failing = createOpenAIEmbedder({ baseUrl, model: "m", dimensions: 2, retryPolicy: FAST_RETRY });
    const error = await failing.embed(["x"]).catch((e: unknown) => e);
    expect((error as AIProviderError).permanent).toBe(false);
    expect(requests).toHaveLength(3);
    requests = [];
    handler = (body, _req, res) => setTimeout(() => reply(res, 200, embeddings(body.input, 2)), 300);
    const slow = createOpenAIEmbedder({ baseUrl, model: "m", dimensions: 2, timeoutMs: 50, retryPolicy: { ...FAST_RETRY, retries: 1 } });
    const timeout = await slow.embed(["x"]).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(AIProviderError);
    expect((timeout as Error).message).toMatch(/timed out/);
    expect(requests).toHaveLength(2);
  });

  it("rejects vectors of the wrong dimension", async () => {
    handler = (body, _req, res) => reply(res, 200, embeddings(body.input, 3));
    const embedder = createOpenAIEmbedder({ baseUrl, model: "m", dimensions: 8 });
    const error = await embedder.embed(["x"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingDimensionError);
    expect(error).toMatchObject({ expected: 8, actual: 3, code: "validation_error" });
  });
});

const memories = [
  { memoryType: "error_fix", success: true, tags: ["auth"], filePaths: ["a.ts"], executionSummary: "Fixed it.", goal: null, result: null, feedback: null },
  { memoryType: "error_fix", success: true, tags: [], filePaths: [], executionSummary: "Fixed it again.", goal: "Goal.", result: null, feedback: null },
] as unknown as TaskMemory[];

describe("OpenAI-compatible synthesizer", () => {
  it("asks /chat/completions for JSON and parses the synthesis", async () => {
    const synthesis = { content: "Await the write.", confidence: 1.4, category: "error_fix", tags: ["auth"], patterns: ["p"], best_practices: ["b"], warnings: [] };
    handler = (_body, _req, res) => reply(res, 200, { choices: [{ message: { content: `\`\`\`json\n${JSON.stringify(synthesis)}\n\`\`\`` } }] });
    const synthesizer = createOpenAISynthesizer({ baseUrl, model: "gpt-test", apiKey: "k" });
    const result = await synthesizer.synthesize(memories);
    expect(result).toEqual({ ...synthesis, confidence: 1 });
    expect(requests[0]?.path).toBe("/v1/chat/completions");
    expect(requests[0]?.body).toMatchObject({ model: "gpt-test", response_format: { type: "json_object" } });
    expect(JSON.stringify(requests[0]?.body.messages)).toContain("Fixed it again.");
  });

  it("throws a permanent AIProviderError for answers that are not a synthesis", async () => {
    handler = (_body, _req, res) => reply(res, 200, { choices: [{ message: { content: "I cannot help with that" } }] });
    const synthesizer = createOpenAISynthesizer({ baseUrl, model: "m" });
    const error = await synthesizer.synthesize(memories).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AIProviderError);
    expect((error as AIProviderError).permanent).toBe(true);
    handler = (_body, _req, res) => reply(res, 200, { choices: [{ message: { content: JSON.stringify({ confidence: 0.5 }) } }] });
    await expect(synthesizer.synthesize(memories)).rejects.toBeInstanceOf(AIProviderError);
  });
});

describe("engine with the OpenAI-compatible adapters", () => {
  it("runs a whole job through a local provider", async () => {
    const hashing = createHashingEmbedder({ dimensions: 64 });
    handler = (body, req, res) => {
      if (req.url?.endsWith("/embeddings")) {
        void hashing.embed(body.input as string[]).then((vectors) =>
          reply(res, 200, { data: vectors.map((v, index) => ({ index, embedding: Array.from(v) })) }),
        );
        return;
      }
      const content = JSON.stringify({ content: "Await the session write before returning.", confidence: 0.9, category: "error_fix" });
      reply(res, 200, { choices: [{ message: { content } }] });
    };
    const db = await createTestDatabase({ driver: "pglite" });
    try {
      const projectId = await createProject(db);
      await seedFixture(db, projectId);
      const result = await runConsolidation(db, await createJob(db, projectId), {
        embedder: createOpenAIEmbedder({ baseUrl, model: "remote-embed", dimensions: 64 }),
        synthesizer: createOpenAISynthesizer({ baseUrl, model: "remote-chat" }),
      });
      expect(result.memories_merged).toBe(5);
      expect(result.summaries_created).toBe(1);
      expect(result.metrics).toMatchObject({ embedder: "remote-embed", synthesizer: "remote-chat" });
      expect(requests.some((r) => r.path === "/v1/chat/completions")).toBe(true);
    } finally {
      await db.close();
    }
  });
});
