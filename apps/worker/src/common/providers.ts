import {
  createExtractiveSynthesizer,
  createHashingEmbedder,
  createOpenAIEmbedder,
  createOpenAISynthesizer,
  type Embedder,
  type Synthesizer,
} from "@memcons/consolidation-core";
import type { Config } from "./config.js";

/** The embedder and synthesizer chosen by EMBEDDER_PROVIDER / SYNTHESIZER_PROVIDER. */
export function createProviders(config: Pick<Config, "embedder" | "synthesizer">): {
  embedder: Embedder;
  synthesizer: Synthesizer;
} {
  const e = config.embedder;
  const embedder =
    e.provider === "openai"
      ? createOpenAIEmbedder({
          baseUrl: e.baseUrl,
          model: e.model,
          dimensions: e.dimensions,
          timeoutMs: e.timeoutMs,
          ...(e.apiKey ? { apiKey: e.apiKey } : {}),
        })
      : createHashingEmbedder({ ...(e.version ? { version: e.version } : {}), ...(e.dimensions ? { dimensions: e.dimensions } : {}) });
  const s = config.synthesizer;
  const synthesizer =
    s.provider === "openai"
      ? createOpenAISynthesizer({
          baseUrl: s.baseUrl,
          model: s.model,
          timeoutMs: s.timeoutMs,
          ...(s.apiKey ? { apiKey: s.apiKey } : {}),
        })
      : createExtractiveSynthesizer();
  return { embedder, synthesizer };
}
