import { isTransientDbError, MemconsError, type MemconsErrorCode } from "@memcons/models";
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
  constructor(code: MemconsErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * HTTP status of every MemconsError code, the single place codes become statuses; null where the error
 * is not the client's (it answers 500, or 503 when the database is unavailable). Every code must be
 * listed: a new code is a type error here until it is.
 */
const STATUS_BY_CODE: Readonly<Record<MemconsErrorCode, ContentfulStatusCode | null>> = {
  validation_error: 400,
  invalid_schedule: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  audit_incomplete: 409,
  illegal_transition: 409,
  aborted: 409,
  rollback_window_expired: 422,
  rate_limited: 429,
  // The embedding provider failed: not the client's fault, and not ours either.
  ai_provider_error: 502,
  invalid_database_url: null,
  migration_mismatch: null,
  migration_failed: null,
  lease_not_held: null,
  cancelled: null,
  job_timeout: null,
  lease_lost: null,
  runner_stopping: null,
  unknown_job_kind: null,
  config_error: null,
  usage_error: null,
  listen_error: null,
  database_in_use: null,
  schema_not_current: null,
  invalid_pairs_file: null,
};

/** The HTTP status for a MemconsError code, or undefined when the code is not a client error. */
export function statusForCode(code: string): ContentfulStatusCode | undefined {
  return Object.hasOwn(STATUS_BY_CODE, code) ? (STATUS_BY_CODE[code as MemconsErrorCode] ?? undefined) : undefined;
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
