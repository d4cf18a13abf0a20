import { isUuid } from "@memcons/models";
import { type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { ApiError } from "../errors.js";

/** Position after the last row of a page ordered by (created_at desc, id desc). */
export interface KeysetPosition {
  /** created_at at full (microsecond) precision, as PostgreSQL printed it in UTC. */
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** SQL printing a timestamptz column at microsecond precision in UTC, for cursors. */
export function cursorTimestamp(column: AnyPgColumn | SQL): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Encodes a keyset position as an opaque cursor. */
export function encodeKeyset(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ t: position.createdAt, i: position.id }), "utf8").toString("base64url");
}

/** Splits rows fetched with `limit + 1` into one page and the cursor after it (null on the last page). */
export function keysetPage<R extends { ts: string }>(
  rows: readonly R[],
  limit: number,
  idOf: (row: R) => string,
): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? encodeKeyset({ createdAt: last.ts, id: idOf(last) }) : null };
}

/** Decodes a cursor made by encodeKeyset; throws a validation error for anything else. */
export function decodeKeyset(cursor: string): KeysetPosition {
  const value = decodeJson(cursor);
  if (
    value &&
    typeof value === "object" &&
    "t" in value &&
    "i" in value &&
    typeof value.t === "string" &&
    typeof value.i === "string" &&
    isExactTimestamp(value.t) &&
    isUuid(value.i)
  ) {
    return { createdAt: value.t, id: value.i };
  }
  throw invalidCursor();
}

/** Condition selecting rows strictly after `position` in (created_at desc, id desc) order. */
export function afterKeyset(createdAt: AnyPgColumn | SQL, id: AnyPgColumn | SQL, position: KeysetPosition): SQL {
  return sql`(${createdAt}, ${id}) < (${position.createdAt}::timestamptz, ${position.id}::uuid)`;
}

/** Encodes an offset into a ranked result list as an opaque cursor. */
export function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), "utf8").toString("base64url");
}

/** Decodes a cursor made by encodeOffset; throws a validation error for anything else. */
export function decodeOffset(cursor: string): number {
  const value = decodeJson(cursor);
  if (value && typeof value === "object" && "o" in value && Number.isSafeInteger(value.o)) {
    const offset = value.o as number;
    if (offset >= 0) return offset;
  }
  throw invalidCursor();
}

function isExactTimestamp(text: string): boolean {
  if (!TIMESTAMP.test(text)) return false;
  const time = Date.parse(text);
  if (!Number.isFinite(time)) return false;
  const date = new Date(time);
  return date.getUTCFullYear() >= 1 && date.toISOString().slice(0, 19) === text.slice(0, 19);
}

function decodeJson(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
}

function invalidCursor(): ApiError {
  return new ApiError("validation_error", "Invalid cursor: pass the next_cursor of a previous page unchanged");
}
