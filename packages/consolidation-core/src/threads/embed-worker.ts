// Worker thread of the hashing embedder: embeds batches of texts and answers their vectors row by row in one array.
import { parentPort, workerData } from "node:worker_threads";
import type { EmbedRequest } from "../embedding/embed-pool.js";
import { createHashingEmbedder } from "../embedding/hashing.js";

const settings = workerData as { version: 1 | 2 | 3; dimensions: number };
const embedder = createHashingEmbedder(settings);
parentPort?.on("message", ({ id, request }: { id: number; request: EmbedRequest }) => {
  void embedder.embed(request).then((vectors) => {
    const answer = new Float32Array(vectors.length * settings.dimensions);
    vectors.forEach((v, k) => {
      answer.set(v, k * settings.dimensions);
    });
    parentPort?.postMessage({ id, answer }, [answer.buffer as ArrayBuffer]);
  });
});
