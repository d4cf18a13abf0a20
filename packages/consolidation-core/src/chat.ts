import { z } from "zod";
import { AIProviderError } from "./errors.js";
import { type HttpClientOptions, postJson } from "./http.js";

/** Settings of a chat model behind an OpenAI-compatible API. */
export interface ChatModelOptions extends HttpClientOptions {
  model: string;
}

const ChatResponse = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable().optional() }) }))
    .min(1),
});

/**
 * Asks `POST {baseUrl}/chat/completions` for a JSON object and validates it with `schema`; throws a
 * permanent AIProviderError (naming `what`) when the answer is empty, not JSON or not of that shape.
 */
export async function chatJson<T>(
  options: ChatModelOptions,
  prompt: { system: string; user: string; temperature?: number },
  schema: z.ZodType<T>,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  const body = await postJson(
    options,
    "chat/completions",
    {
      model: options.model,
      temperature: prompt.temperature ?? 0,
      response_format: { type: "json_object" },
      messages: [
        { role: "system", content: prompt.system },
        { role: "user", content: prompt.user },
      ],
    },
    signal,
  );
  const chat = ChatResponse.safeParse(body);
  const content = chat.success ? chat.data.choices[0]?.message.content : undefined;
  if (!content) {
    throw new AIProviderError(`Chat completion from ${options.baseUrl} has no message content`, { permanent: true });
  }
  let json: unknown;
  try {
    json = JSON.parse(stripFences(content));
  } catch (error) {
    throw new AIProviderError(`Chat completion from ${options.baseUrl} is not JSON`, { permanent: true, cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new AIProviderError(`${what} from ${options.baseUrl} is not as expected`, { permanent: true, cause: parsed.error });
  }
  return parsed.data;
}

function stripFences(text: string): string {
  const match = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return match ? (match[1] as string) : text;
}
