import { TaskPool } from "../threads/task-pool.js";
import { workerScript } from "../threads/threads.js";
import { parseHashingModel } from "./hashing.js";

/** Texts to embed, as the pool sends them; the answer holds their vectors row by row. */
export type EmbedRequest = string[];

/**
 * Worker threads embedding with the hashing embedder of a model name (`hashing-v3-256`), for one job's detection;
 * null when the model is not a hashing one, `threads` < 2 or no script ships. Embedders are identified by their model
 * name, so the threads give the same vectors as the embedder itself.
 */
export function startHashingEmbedPool(model: string, threads: number): TaskPool<EmbedRequest, Float32Array> | null {
  const settings = parseHashingModel(model);
  const script = threads > 1 && settings ? workerScript("embed-worker") : null;
  return script && settings ? new TaskPool(script, settings, threads) : null;
}
