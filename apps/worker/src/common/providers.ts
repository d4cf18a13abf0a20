import {
  createExtractiveSynthesizer,
  createHashingEmbedder,
  createOpenAIEmbedder,
  createOpenAIJudge,
  createOpenAISynthesizer,
  type Embedder,
  type Judge,
  type Synthesizer,
} from "@memcons/consolidation-core";
import type { Config } from "./config.js";

/** The embedder and synthesizer chosen by EMBEDDER_PROVIDER / SYNTHESIZER_PROVIDER, and the judge when JUDGE_MODEL is set. */
export function createProviders(config: Pick<Config, "embedder" | "synthesizer"> & Partial<Pick<Config, "judge">>): {
  embedder: Embedder;
  synthesizer: Synthesizer;
  judge?: Judge;
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
  const j = config.judge;
  const judge = j
    ? createOpenAIJudge({ baseUrl: j.baseUrl, model: j.model, timeoutMs: j.timeoutMs, ...(j.apiKey ? { apiKey: j.apiKey } : {}) })
    : undefined;
  return { embedder, synthesizer, ...(judge ? { judge } : {}) };
}
