import type { PairSimilarity, RetryPolicy, TaskMemory } from "@memcons/models";
import { z } from "zod";
import { AIProviderError } from "../errors.js";
import { postJson } from "../http.js";
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

const ChatResponse = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable().optional() }) }))
    .min(1),
});

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
      const body = await postJson(
        options,
        "chat/completions",
        {
          model: options.model,
          temperature: 0,
          response_format: { type: "json_object" },
          messages: [
            { role: "system", content: SYSTEM_PROMPT },
            { role: "user", content: describeRequest(request) },
          ],
        },
        signal,
      );
      return parseDecision(body, options.baseUrl);
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

function parseDecision(body: unknown, baseUrl: string): JudgeDecision {
  const chat = ChatResponse.safeParse(body);
  const content = chat.success ? chat.data.choices[0]?.message.content : undefined;
  if (!content) {
    throw new AIProviderError(`Chat completion from ${baseUrl} has no message content`, { permanent: true });
  }
  let json: unknown;
  try {
    const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(content);
    json = JSON.parse(fenced ? (fenced[1] as string) : content);
  } catch (error) {
    throw new AIProviderError(`Chat completion from ${baseUrl} is not JSON`, { permanent: true, cause: error });
  }
  const parsed = DecisionSchema.safeParse(json);
  if (!parsed.success) {
    throw new AIProviderError(`Verdict from ${baseUrl} needs "verdict" (approve or reject) and "rationale"`, {
      permanent: true,
      cause: parsed.error,
    });
  }
  return parsed.data;
}
