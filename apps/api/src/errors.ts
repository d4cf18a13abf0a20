import { isTransientDbError, MemconsError } from "@memcons/models";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";

/** The one error body every failing request gets. */
export interface ErrorBody {
  error: string;
  message: string;
  /** On a conflict about memories (changed since a plan, proposal or job): every one of their ids. */
  memory_ids?: string[];
}

/** An HTTP-level error raised by the API itself (auth, body size, bad cursor…). */
export class ApiError extends MemconsError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** HTTP status of every MemconsError code the API can meet; the single place codes become statuses. */
const STATUS_BY_CODE: Readonly<Record<string, ContentfulStatusCode>> = {
  validation_error: 400,
  invalid_schedule: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  illegal_transition: 409,
  aborted: 409,
  payload_too_large: 413,
  rollback_window_expired: 422,
  // The embedding provider failed: not the client's fault, and not ours either.
  ai_provider_error: 502,
};

/** The HTTP status for a MemconsError code, or undefined when the code is not a client error. */
export function statusForCode(code: string): ContentfulStatusCode | undefined {
  return STATUS_BY_CODE[code];
}

/** Answers with the standard error body. */
export function errorResponse(c: Context, status: ContentfulStatusCode, error: string, message: string): Response {
  return c.json<ErrorBody>({ error, message }, status);
}

/** Turns a zod failure into a message naming each offending field. */
export function describeZodError(error: z.ZodError, where: string): string {
  const parts = error.issues.slice(0, 10).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 10 ? `; and ${error.issues.length - 10} more` : "";
  return `Invalid ${where}: ${parts.join("; ")}${more}`;
}

const TARGET_NAMES: Readonly<Record<string, string>> = {
  json: "request body",
  query: "query string",
  param: "path parameter",
  header: "header",
};

/** Names a validation target (json, query, param) for humans. */
export function targetName(target: string): string {
  return TARGET_NAMES[target] ?? target;
}

/** Maps anything thrown by a handler to a response; unknown errors become 500 and are reported. */
export function toErrorResponse(error: unknown, c: Context, report: (error: unknown) => void): Response {
  if (error instanceof MemconsError) {
    const status = statusForCode(error.code);
    const memoryIds = (error as { memoryIds?: unknown }).memoryIds;
    if (status && Array.isArray(memoryIds)) {
      return c.json<ErrorBody>({ error: error.code, message: error.message, memory_ids: memoryIds.map(String) }, status);
    }
    if (status) return errorResponse(c, status, error.code, error.message);
  }
  if (error instanceof HTTPException) {
    const mapped = fromHttpException(error);
    if (mapped) return errorResponse(c, mapped.status, mapped.code, mapped.message);
  }
  if (isTransientDbError(error)) {
    report(error);
    c.header("Retry-After", "1");
    return errorResponse(c, 503, "unavailable", "The database is temporarily unavailable; retry shortly");
  }
  report(error);
  return errorResponse(c, 500, "internal_error", "Internal server error");
}

function fromHttpException(
  error: HTTPException,
): { status: ContentfulStatusCode; code: string; message: string } | undefined {
  switch (error.status) {
    case 400:
      return { status: 400, code: "validation_error", message: error.message || "Bad request" };
    case 401:
      return { status: 401, code: "unauthorized", message: error.message || "Unauthorized" };
    case 404:
      return { status: 404, code: "not_found", message: error.message || "Not found" };
    case 413:
      return { status: 413, code: "payload_too_large", message: error.message || "Payload too large" };
    case 415:
      return {
        status: 400,
        code: "validation_error",
        message: "Unsupported Content-Type: send the body as application/json",
      };
    default:
      return undefined;
  }
}
