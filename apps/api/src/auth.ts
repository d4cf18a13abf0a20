import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { errorResponse } from "./errors.js";
import type { ApiEnv } from "./options.js";

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** Short, non-reversible name of a token for audit fields (`admin:<fingerprint>`). */
export function tokenFingerprint(token: string): string {
  return digest(token).toString("hex").slice(0, 12);
}

/** Middleware accepting `Authorization: Bearer <token>` for one of `tokens`, compared in constant time. */
export function bearerAuth(tokens: readonly string[]): MiddlewareHandler<ApiEnv> {
  const accepted = tokens.filter((token) => token.length > 0).map((token) => digest(token));
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = BEARER.exec(header);
    if (!match?.[1]) {
      return errorResponse(c, 401, "unauthorized", "Missing bearer token: send Authorization: Bearer <token>");
    }
    const presented = digest(match[1]);
    let ok = false;
    // Compare against every token so the time taken does not reveal which one matched.
    for (const candidate of accepted) ok = timingSafeEqual(candidate, presented) || ok;
    if (!ok) return errorResponse(c, 401, "unauthorized", "Invalid bearer token");
    c.set("actor", `admin:${tokenFingerprint(match[1])}`);
    await next();
  };
}
