import { z } from "@hono/zod-openapi";

/** The error body of every failing request. */
export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: "validation_error" }),
    message: z.string().openapi({ example: "Invalid request body: name: Required" }),
    memory_ids: z
      .array(z.string())
      .optional()
      .openapi({ description: "On a 409 about memories that changed: the ids of every one of them" }),
  })
  .openapi("Error");

/** A UUID in 8-4-4-4-12 hex form (what PostgreSQL's uuid accepts). */
export const UuidSchema = z.guid().openapi({ format: "uuid", example: "3f1c2a9e-8b7d-4c1e-9a0f-5d2e6b7c8a91" });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text PostgreSQL can store: bounded, free of NUL characters and of unpaired UTF-16 surrogates. */
export function text(max: number) {
  return z
    .string()
    .max(max)
    .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL characters" })
    .refine((value) => !LONE_SURROGATE.test(value), { message: "must be valid Unicode (unpaired surrogate)" });
}

/** Text that must contain something other than whitespace. */
export function nonBlankText(max: number) {
  return text(max).refine((value) => value.trim().length > 0, { message: "must not be blank" });
}

/** An ISO 8601 timestamp with a time zone, within the range PostgreSQL stores. */
export const TimestampSchema = z.iso
  .datetime({ offset: true })
  .refine((value) => {
    const time = Date.parse(value);
    return Number.isFinite(time) && new Date(time).getUTCFullYear() >= 1;
  }, { message: "must be a valid timestamp from year 1 on" })
  .openapi({ example: "2026-01-31T12:00:00Z" });

/** Path parameter `{id}`-style UUID schema with the given name. */
export function uuidParam<N extends string>(name: N) {
  return z.object({
    [name]: UuidSchema.openapi({ param: { name, in: "path" } }),
  } as { [K in N]: typeof UuidSchema });
}

/** A `true`/`false` query flag. */
export const QueryFlagSchema = z
  .enum(["true", "false"])
  .optional()
  .transform((value) => value === "true")
  .openapi({ type: "string", enum: ["true", "false"] });

/** Page size: 1..100 (default 20). */
export const LimitSchema = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .openapi({ type: "integer", minimum: 1, maximum: 100, default: 20 });

/** Opaque pagination cursor returned as `next_cursor`. */
export const CursorSchema = z.string().min(1).max(512).openapi({ description: "Opaque cursor from next_cursor" });

/** Standard error responses, for route definitions. */
export function errorResponses(...statuses: Array<400 | 401 | 404 | 409 | 413 | 422 | 503>) {
  const descriptions: Record<number, string> = {
    400: "Invalid input (validation_error)",
    401: "Missing or invalid bearer token (unauthorized)",
    404: "Not found (not_found)",
    409: "Conflict (conflict)",
    413: "Body too large (payload_too_large)",
    422: "Rollback window expired (rollback_window_expired)",
    503: "Not ready (not_ready)",
  };
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: descriptions[status] ?? "Error", content: { "application/json": { schema: ErrorSchema } } },
    ]),
  ) as Record<(typeof statuses)[number], { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }>;
}
