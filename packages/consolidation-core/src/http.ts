import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from "@memcons/models";
import { AIProviderError } from "./errors.js";

/** Connection settings shared by the OpenAI-compatible adapters. */
export interface HttpClientOptions {
  /** e.g. `https://api.openai.com/v1` (no trailing `/embeddings`). */
  baseUrl: string;
  apiKey?: string;
  /** Per-request timeout (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries on 429, 5xx, timeouts and network errors (default: DEFAULT_RETRY_POLICY). */
  retryPolicy?: RetryPolicy;
}

/** POSTs JSON to `{baseUrl}/{path}` with timeout and retries; returns the parsed JSON body. */
export async function postJson(
  options: HttpClientOptions,
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/${path}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return withRetry(
    async () => {
      signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          },
          body: JSON.stringify(body),
          signal: combined,
        });
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? error;
        const timedOut = timeout.aborted;
        throw new AIProviderError(
          timedOut ? `POST ${url} timed out after ${timeoutMs} ms` : `POST ${url} failed: ${messageOf(error)}`,
          { permanent: false, cause: error },
        );
      }
      const text = await response.text();
      if (!response.ok) {
        const retryable = response.status === 429 || response.status >= 500;
        throw new AIProviderError(`POST ${url} answered ${response.status}: ${text.slice(0, 300)}`, {
          status: response.status,
          permanent: !retryable,
        });
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new AIProviderError(`POST ${url} returned invalid JSON`, { permanent: true, cause: error });
      }
    },
    options.retryPolicy ?? DEFAULT_RETRY_POLICY,
    {
      signal,
      shouldRetry: (error) => error instanceof AIProviderError && !error.permanent,
    },
  );
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
