import { type SQL, sql } from "drizzle-orm";
import { ValidationError } from "./errors.js";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a UUID string (anything else cannot name a row). */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_PATTERN.test(value);
}

/**
 * Ids as one `uuid[]` parameter, so a statement's text is the same for any number of ids; an id that is not a UUID
 * throws ValidationError (it could never name a row, and one with a comma would split the array literal).
 */
export function uuidArray(ids: readonly string[]): SQL {
  const bad = ids.find((id) => !isUuid(id));
  if (bad !== undefined) {
    throw new ValidationError(`Invalid id '${String(bad).slice(0, 80)}': expected a UUID`, [{ path: "ids", message: "must be UUIDs" }]);
  }
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}
