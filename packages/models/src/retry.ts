import pRetry from "p-retry";
import { isPermanentError } from "./errors.js";

/** How often and how patiently an operation is retried; shared by in-process and persisted retries. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** Growth factor between consecutive delays. */
  readonly factor: number;
  /** Delay before the first retry, in milliseconds. */
  readonly minTimeoutMs: number;
  /** Upper bound of any delay, in milliseconds. */
  readonly maxTimeoutMs: number;
  /** Multiply each delay by a random factor in [1, 2) to spread retries out. */
  readonly jitter: boolean;
}

/** Policy for short in-process retries of database operations. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 3,
  factor: 2,
  minTimeoutMs: 50,
  maxTimeoutMs: 2_000,
  jitter: true,
});

/** Policy for persisted job retries (`run_at = now + backoffDelay(retry_count + 1)`, the number of the retry). */
export const DEFAULT_JOB_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 3,
  factor: 2,
  minTimeoutMs: 30_000,
  maxTimeoutMs: 15 * 60_000,
  jitter: true,
});

/** Delay before retry number `attempt` (1 = first retry): min(max, min·factor^(attempt−1)·jitter). */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number {
  const step = Math.max(1, Math.floor(attempt));
  const spread = policy.jitter ? random() + 1 : 1;
  const delay = Math.round(spread * Math.max(policy.minTimeoutMs, 1) * policy.factor ** (step - 1));
  return Math.min(delay, policy.maxTimeoutMs);
}

const TRANSIENT_SQLSTATES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "08000", // connection_exception
  "08001", // sqlclient_unable_to_establish_sqlconnection
  "08003", // connection_does_not_exist
  "08004", // sqlserver_rejected_establishment_of_sqlconnection
  "08006", // connection_failure
]);

const TRANSIENT_CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/** Whether a database error is worth retrying: serialization failure, deadlock, shutdown, lost connection. */
export function isTransientDbError(error: unknown): boolean {
  return errorCodes(error).some((code) => TRANSIENT_SQLSTATES.has(code) || TRANSIENT_CONNECTION_CODES.has(code));
}

/** The SQLSTATE of a database error (also when wrapped as `cause`), e.g. `23503`; undefined for other errors. */
export function sqlState(error: unknown): string | undefined {
  return errorCodes(error).find((code) => /^[0-9A-Z]{5}$/.test(code));
}

/** The string `code`s along an error's `cause` chain (at most five deep), outermost first. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current: unknown = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** Options of withRetry. */
export interface WithRetryOptions {
  /** Decides whether an error is retried (default: isTransientDbError; permanent errors never are). */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each retry with the error and the 1-based attempt that failed. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Stops retrying when aborted. */
  signal?: AbortSignal;
}

/** Runs `fn`, retrying it under `policy` while `shouldRetry` says the error is transient. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  options: WithRetryOptions = {},
): Promise<T> {
  const shouldRetry = (error: unknown) =>
    !isPermanentError(error) && (options.shouldRetry ?? isTransientDbError)(error);
  return pRetry(fn, {
    retries: policy.retries,
    factor: policy.factor,
    minTimeout: policy.minTimeoutMs,
    maxTimeout: policy.maxTimeoutMs,
    randomize: policy.jitter,
    signal: options.signal,
    shouldRetry: ({ error }) => shouldRetry(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && shouldRetry(error)) options.onRetry?.(error, attemptNumber);
    },
  });
}
