import type { PairSimilarity, RetryPolicy, TaskMemory } from "@memcons/models";
import { z } from "zod";
import { chatJson } from "../chat.js";
import { memoryText } from "../text.js";

/** What a judge is asked: may these memories become one? */
export interface JudgeRequest {
  memories: readonly TaskMemory[];
  /** Pairwise similarities of the members (by memory id). */
  similarities: readonly PairSimilarity[];
  /** Why the engine did not merge them itself: `borderline` or the contradiction guard's reason. */
  reason: string;
}

/** A judge's decision on one proposal. */
export interface JudgeDecision {
  verdict: "approve" | "reject";
  rationale: string;
}

/** Decides review proposals (e.g. a chat model); its verdict and rationale are recorded on the proposal. */
export interface Judge {
  readonly model: string;
  judge(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeDecision>;
}

/** Settings of the OpenAI-compatible judge. */
export interface OpenAIJudgeOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
  retryPolicy?: RetryPolicy;
}

const DecisionSchema = z.object({
  verdict: z.enum(["approve", "reject"]),
  rationale: z.string().trim().min(1).max(4000),
});

const SYSTEM_PROMPT = [
  "You review proposed merges of the memories of AI coding agents.",
  "Approve only when the memories say the same thing, so that one merged memory loses nothing and",
  "contradicts none of them; reject when they differ in meaning, e.g. by a negation, an opposite",
  "instruction (enable/disable, always/never), or a different number, version, port, duration or name.",
  'Answer with a JSON object only: {"verdict": "approve" | "reject", "rationale": "<one or two sentences>"}.',
].join(" ");

/** Judge that calls `POST {baseUrl}/chat/completions` of an OpenAI-compatible API and expects a JSON verdict. */
export function createOpenAIJudge(options: OpenAIJudgeOptions): Judge {
  return {
    model: options.model,
    async judge(request, signal) {
      return chatJson(
        options,
        { system: SYSTEM_PROMPT, user: describeRequest(request) },
        DecisionSchema,
        'Verdict (needs "verdict": approve or reject, and "rationale")',
        signal,
      );
    },
  };
}

function describeRequest(request: JudgeRequest): string {
  const index = new Map(request.memories.map((m, i) => [m.id, i + 1]));
  const memories = request.memories.map((m, i) => `Memory ${i + 1} (type: ${m.memoryType}):\n${memoryText(m)}`);
  const pairs = request.similarities.map(
    (p) => `Memory ${index.get(p.a) ?? p.a} ~ Memory ${index.get(p.b) ?? p.b}: ${p.similarity.toFixed(3)}`,
  );
  return [
    `Why this needs review: ${request.reason}`,
    `Cosine similarities:\n${pairs.join("\n")}`,
    ...memories,
    "Should these memories be merged into one?",
  ].join("\n\n");
}
