import type { RetryPolicy } from "@memcons/models";
import { z } from "zod";
import { AIProviderError, EmbeddingDimensionError } from "../errors.js";
import { postJson } from "../http.js";
import type { Embedder } from "../types.js";

/** Settings of the OpenAI-compatible embedder. */
export interface OpenAIEmbedderOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
  retryPolicy?: RetryPolicy;
  /** Expected vector length; sent as `dimensions` and checked on every answer. */
  dimensions: number;
  /** Texts per request (default 128). */
  batchSize?: number;
  /** Save embeddings as soon as they arrive, so a failed job never pays for them twice (default true). */
  storeImmediately?: boolean;
}

const EmbeddingsResponse = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().int().optional() })),
});

/** Embedder that calls `POST {baseUrl}/embeddings` of an OpenAI-compatible API. */
export function createOpenAIEmbedder(options: OpenAIEmbedderOptions): Embedder {
  const batchSize = options.batchSize ?? 128;
  return {
    model: options.model,
    dimensions: options.dimensions,
    storeImmediately: options.storeImmediately ?? true,
    async embed(texts, signal) {
      const out: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const input = texts.slice(start, start + batchSize);
        const body = await postJson(
          options,
          "embeddings",
          { model: options.model, input, dimensions: options.dimensions },
          signal,
        );
        const parsed = EmbeddingsResponse.safeParse(body);
        if (!parsed.success || parsed.data.data.length !== input.length) {
          throw new AIProviderError(
            `Embeddings response from ${options.baseUrl} has an unexpected shape`,
            { permanent: true, cause: parsed.success ? undefined : parsed.error },
          );
        }
        const ordered = [...parsed.data.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
        for (const item of ordered) {
          if (item.embedding.length !== options.dimensions) {
            throw new EmbeddingDimensionError(options.dimensions, item.embedding.length, options.model);
          }
          out.push(Float32Array.from(item.embedding));
        }
      }
      return out;
    },
  };
}
