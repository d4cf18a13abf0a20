import type { RetryPolicy, TaskMemory } from "@memcons/models";
import { z } from "zod";
import { chatJson } from "../chat.js";
import { memoryText } from "../text.js";
import type { Synthesizer } from "../types.js";

/** Settings of the OpenAI-compatible synthesizer. */
export interface OpenAISynthesizerOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
  retryPolicy?: RetryPolicy;
  /** Sampling temperature (default 0). */
  temperature?: number;
}

const SynthesisSchema = z.object({
  content: z.string().trim().min(1),
  confidence: z.number(),
  category: z.string().trim().min(1).default("learning"),
  tags: z.array(z.string()).default([]),
  patterns: z.array(z.string()).default([]),
  best_practices: z.array(z.string()).default([]),
  warnings: z.array(z.string()).default([]),
});

const SYSTEM_PROMPT = [
  "You consolidate the memories of AI coding agents.",
  "Given several related task memories, write one synthesis as a JSON object with the keys:",
  'content (string), confidence (number 0..1: how consistently the memories agree), category (string),',
  "tags (string[]), patterns (string[]), best_practices (string[]), warnings (string[]).",
  "Answer with the JSON object only.",
].join(" ");

/** Synthesizer that calls `POST {baseUrl}/chat/completions` of an OpenAI-compatible API and expects a JSON answer. */
export function createOpenAISynthesizer(options: OpenAISynthesizerOptions): Synthesizer {
  return {
    model: options.model,
    async synthesize(memories, signal) {
      const s = await chatJson(
        options,
        { system: SYSTEM_PROMPT, user: describeMemories(memories), temperature: options.temperature ?? 0 },
        SynthesisSchema,
        "Synthesis",
        signal,
      );
      return { ...s, confidence: Math.max(0, Math.min(1, s.confidence)) };
    },
  };
}

function describeMemories(memories: readonly TaskMemory[]): string {
  return memories
    .map((m, i) => {
      const meta = [`type: ${m.memoryType}`, `success: ${m.success}`];
      if (m.tags.length > 0) meta.push(`tags: ${m.tags.join(", ")}`);
      if (m.filePaths.length > 0) meta.push(`files: ${m.filePaths.join(", ")}`);
      return `Memory ${i + 1} (${meta.join("; ")}):\n${memoryText(m)}`;
    })
    .join("\n\n");
}
