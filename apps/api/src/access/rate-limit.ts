import type { MiddlewareHandler } from "hono";
import { MemoryStore, rateLimiter } from "hono-rate-limiter";
import { errorResponse } from "../errors.js";
import type { ApiEnv } from "../options.js";

/** Per-token limit on write requests (every method but GET and HEAD). */
export interface WriteRateLimit {
  /** Write requests one token may make per window and API process; 0 turns the limit off. */
  limit: number;
  /** Length of the window in milliseconds (default 60,000). */
  windowMs?: number;
}

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Middleware limiting each token's write requests; over the limit it answers 429 `rate_limited` with Retry-After. */
export function writeRateLimit(o: WriteRateLimit): MiddlewareHandler<ApiEnv> {
  const windowMs = o.windowMs ?? 60_000;
  return rateLimiter<ApiEnv>({
    windowMs,
    limit: o.limit,
    standardHeaders: "draft-6",
    store: new MemoryStore(),
    skip: (c) => READ_METHODS.has(c.req.method),
    // Keyed by the token's name (or admin fingerprint): the token value is never kept.
    keyGenerator: (c) => c.get("actor"),
    handler: (c) =>
      errorResponse(
        c,
        429,
        "rate_limited",
        `This token made more than ${o.limit} write requests in ${windowMs / 1000} s; retry after the Retry-After header's seconds`,
      ),
  });
}
