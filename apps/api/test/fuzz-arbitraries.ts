// Arbitraries for the property-based test: inputs that every route must reject with a 4xx.
import fc from "fast-check";
import type { z } from "zod";
import { IngestSchema } from "../src/schemas/memories.js";

export const anyText = fc.string({ unit: "binary", maxLength: 40 });
export const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  anyText,
  fc.constantFrom(null, true, 0, -1, 1e308, -0.5, "", " ", "\u0000", "NaN", [], {}, 2 ** 53, "2024-02-30T00:00:00Z"),
);

/** Valid-looking bodies with one field replaced, removed or added, that the schema rejects. */
export function brokenBody<S extends z.ZodType>(schema: S, valid: Record<string, unknown>, keys: string[]) {
  const mutated = fc
    .tuple(fc.constantFrom(...keys, "unexpected_field"), junk, fc.boolean())
    .map(([key, value, remove]) => {
      const copy: Record<string, unknown> = { ...valid };
      if (remove) delete copy[key];
      else copy[key] = value;
      return copy as unknown;
    });
  return fc.oneof(mutated, junk).filter((body) => !schema.safeParse(body).success);
}

export const malformedId = fc
  .oneof(
    anyText,
    fc.constantFrom("../..", "%", "%00", "null", "00000000-0000-0000-0000-00000000000g", "{}", " 1", "x".repeat(300)),
    fc.uuid().map((u) => `${u}x`),
    fc.uuid().map((u) => u.replaceAll("-", "")),
  )
  // A bare "." or ".." is a dot-segment: URL resolution removes it (and the segment before it), so the
  // request names another route rather than carrying a malformed id.
  .filter((s) => s !== "." && s !== ".." && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s));
/** Ids that are malformed or name nothing. */
export const missingOrMalformedId = fc.oneof(malformedId, fc.uuid());

export const segment = (id: string) => encodeURIComponent(id);

export function queryString<S extends z.ZodType>(schema: S, keys: string[], mustFail: boolean) {
  return fc
    .dictionary(fc.oneof(fc.constantFrom(...keys), anyText), fc.oneof(anyText, fc.constantFrom("0", "101", "true", "yes", "-1", "1e3", "")), {
      maxKeys: 4,
    })
    // Any cursor but one the API issued is rejected, so a query with a cursor is bad input too.
    .filter((query) => !mustFail || "cursor" in query || !schema.safeParse(query).success)
    .map((query) => {
      const text = new URLSearchParams(query).toString();
      return text ? `?${text}` : "";
    });
}

export const validMemory = { memory_type: "error_fix", execution_summary: "Fixed it.", tags: ["a"] };
export const ingestBody = fc.oneof(
  brokenBody(IngestSchema, { memories: [validMemory] }, ["memories"]),
  fc
    .tuple(
      fc.constantFrom(
        "task_id", "memory_type", "execution_summary", "goal", "result", "feedback", "tags", "file_paths",
        "context_embedding", "success", "reused_count", "learned_at", "surprise",
      ),
      junk,
    )
    .map(([key, value]) => ({ memories: [{ ...validMemory, [key]: value }] }) as unknown)
    .filter((body) => !IngestSchema.safeParse(body).success),
);

export const rawBodies = fc.oneof(
  anyText,
  fc.constantFrom("{", '{"name":', "[1,2", '{"memories":[{]}', "\u0000", "null", "undefined", "{'a':1}"),
);
export const contentTypes = fc.constantFrom(
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-8",
  "",
);
