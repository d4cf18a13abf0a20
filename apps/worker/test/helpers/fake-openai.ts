import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A local OpenAI-compatible embeddings server whose answers can be slowed down (to hold jobs mid-run). */
export async function startFakeEmbeddings(dimensions: number): Promise<{
  baseUrl: string;
  requests(): number;
  setDelay(ms: number): void;
  close(): Promise<void>;
}> {
  let delayMs = 0;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => {
      raw += chunk.toString();
    });
    req.on("end", () => {
      requests += 1;
      const body = JSON.parse(raw || "{}") as { input?: string | string[]; model?: string };
      const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ""];
      const data = inputs.map((text, index) => ({ object: "embedding", index, embedding: embed(text, dimensions) }));
      const payload = JSON.stringify({ object: "list", data, model: body.model ?? "fake", usage: { prompt_tokens: 0, total_tokens: 0 } });
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(payload);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: () => requests,
    setDelay(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Bag-of-words hashing into a unit vector: near-identical texts get near-identical vectors. */
function embed(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % dimensions]! += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
