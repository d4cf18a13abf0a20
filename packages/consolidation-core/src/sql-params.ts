import { type SQL, sql } from "drizzle-orm";

/** A timestamptz parameter. */
export function timestamp(date: Date): SQL {
  return sql`${date.toISOString()}::timestamptz`;
}

/** A jsonb parameter from an already serialized JSON string. */
export function jsonb(text: string): SQL {
  return sql`${text}::jsonb`;
}
