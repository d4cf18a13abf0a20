import { mkdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { type PgDatabase, PgDialect, type PgQueryResultHKT, type PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { Sql } from "postgres";
import { InvalidDatabaseUrlError, ValidationError } from "./errors.js";
import * as schema from "./schema.js";

/** The memcons schema, as handed to Drizzle. */
export type Schema = typeof schema;
/** Drizzle query builder over the memcons schema, the same type on every driver. */
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;
/** A Drizzle transaction over the memcons schema. */
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Orm | Transaction;
/** Which engine a Database talks to. */
export type Driver = "postgres" | "pglite";
/** Stops a LISTEN subscription. */
export type Unlisten = () => Promise<void>;

/** An open memcons database: Drizzle, raw rows, LISTEN/NOTIFY, and a close that frees everything. */
export interface Database {
  /** Drizzle query builder (select/insert/update/delete/transaction). */
  readonly orm: Orm;
  /** `postgres` for a real server, `pglite` for the embedded engine. */
  readonly driver: Driver;
  /** Whether several connections can work at once (false on PGlite). */
  readonly supportsConcurrency: boolean;
  /** Runs raw SQL and returns its rows. */
  rows<T extends Record<string, unknown>>(query: SQL, options?: RowsOptions): Promise<T[]>;
  /** Subscribes to a NOTIFY channel; resolves once listening. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<Unlisten>;
  /** Sends a NOTIFY on a channel; on PostgreSQL its transaction commits without waiting for a WAL flush. */
  notify(channel: string, payload: string): Promise<void>;
  /** Closes every connection; the handle is unusable afterwards. */
  close(): Promise<void>;
}

/** How `Database.rows` runs one statement. */
export interface RowsOptions {
  /**
   * Keep the statement prepared on each connection and reuse its plan: for hot statements whose text is always the
   * same (pass lists as one array parameter). Ignored on PGlite and when prepared statements are off.
   */
  prepare?: boolean;
}

/** Connection settings of createDatabase for postgres:// URLs (an embedded PGlite database has one connection). */
export interface DatabaseOptions {
  /** Pool size for postgres:// (default 10). */
  maxConnections?: number;
  /** Seconds an idle pooled connection is kept (default 30). */
  idleTimeoutSeconds?: number;
  /** Name reported to the server as application_name (default `memcons`). */
  applicationName?: string;
  /** Server-side limit of one statement, in milliseconds (statement_timeout; default: the server's). */
  statementTimeoutMs?: number;
  /** Longest wait for a lock, in milliseconds (lock_timeout; default: the server's). */
  lockTimeoutMs?: number;
  /** Longest idle time inside an open transaction before the server ends the session, in milliseconds
   *  (idle_in_transaction_session_timeout; default: the server's). */
  idleInTransactionTimeoutMs?: number;
  /** Seconds to wait for a new connection (default 10). */
  connectTimeoutSeconds?: number;
  /**
   * Whether hot statements (the queue's claims, completions and heartbeats) are prepared once per connection
   * (default true). Turn off behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
   * before 1.21). A postgres.js client you pass in decides with its own `prepare` option.
   */
  preparedStatements?: boolean;
}

/** The session settings sent when each pooled connection opens. */
export function sessionSettings(options: DatabaseOptions): Record<string, string> {
  const settings: Record<string, string> = { application_name: options.applicationName ?? "memcons" };
  const timeouts = {
    statement_timeout: options.statementTimeoutMs,
    lock_timeout: options.lockTimeoutMs,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs,
  };
  for (const [name, value] of Object.entries(timeouts)) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) {
      throw new ValidationError(`Invalid database options: ${name} must be zero or more milliseconds`, [
        { path: name, message: "must be zero or more milliseconds" },
      ]);
    }
    settings[name] = String(Math.floor(value));
  }
  return settings;
}

/**
 * A postgres.js client you opened yourself (`postgres(url)`); memcons uses it as is and never ends it.
 * Structural, so that this package's types do not need postgres.js installed.
 */
export interface PostgresJsClient {
  unsafe(query: string, parameters?: never[]): PromiseLike<unknown>;
  begin(...args: never[]): PromiseLike<unknown>;
  listen(channel: string, onNotify: (payload: string) => void): PromiseLike<{ unlisten(): Promise<void> }>;
  end(options?: { timeout?: number }): Promise<void>;
}

/** A PGlite instance you opened yourself; memcons uses it as is and never closes it. */
export interface PGliteClient {
  query(...args: never[]): Promise<unknown>;
  exec(...args: never[]): Promise<unknown>;
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  readonly waitReady: Promise<void>;
}

/**
 * Opens a database from a URL (postgres://… pooled, pglite://<dir> or pglite://memory embedded), or
 * wraps a postgres.js client or PGlite instance you own: then `close()` leaves that connection open.
 */
export async function createDatabase(
  source: string | PostgresJsClient | PGliteClient,
  options: DatabaseOptions = {},
): Promise<Database> {
  if (typeof source === "function" && "unsafe" in source) {
    const client = source as unknown as Sql;
    return wrapPostgres(client, false, client.options?.prepare !== false);
  }
  if (typeof source === "object" && source !== null && "exec" in source && "waitReady" in source) {
    return wrapPglite(source as unknown as PGlite, false);
  }
  if (typeof source !== "string") throw new InvalidDatabaseUrlError(String(source));
  if (/^postgres(ql)?:\/\//i.test(source)) return openPostgres(source, options);
  if (/^pglite:\/\//i.test(source)) return openPglite(source.slice("pglite://".length));
  throw new InvalidDatabaseUrlError(source);
}

/** Runs raw SQL on the database or a transaction and returns its rows on either driver. */
export async function queryRows<T extends Record<string, unknown>>(
  executor: Executor,
  query: SQL,
): Promise<T[]> {
  const result: unknown = await executor.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

const dialect = new PgDialect();

/** Runs a statement as a named prepared statement of the connection (postgres.js keeps one per distinct text). */
async function preparedRows<T extends Record<string, unknown>>(client: Sql, query: SQL): Promise<T[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await client.unsafe(text, params as never[], { prepare: true })) as unknown as T[];
}

/** Converts a timestamp from a raw row (Date or string, depending on the driver) to a Date. */
export function toDate(value: unknown): Date | null {
  if (value == null) return null;
  if (value instanceof Date) return value;
  if (typeof value === "string" || typeof value === "number") return new Date(value);
  return null;
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const connection = sessionSettings(options);
  const { default: postgres } = await import("postgres");
  const client: Sql = postgres(url, {
    max: options.maxConnections ?? 10,
    idle_timeout: options.idleTimeoutSeconds ?? 30,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    // Reconnect within a second once the server answers again (the driver's default backs off to 20 s).
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
    connection,
    onnotice: () => {},
    // `socket` is a documented option its type declarations leave out.
    ...({ socket: noDelaySockets() } as object),
  });
  return wrapPostgres(client, true, options.preparedStatements !== false);
}

/**
 * Opens the pool's sockets with Nagle's algorithm off, as other PostgreSQL drivers do: otherwise the
 * statement after a COPY waits for the server's delayed acknowledgement (about 40 ms). Hosts of a
 * multi-host URL are tried in turn.
 */
function noDelaySockets(): (options: { host: string[]; port: number[]; path?: string | false }) => Socket {
  let next = 0;
  return ({ host, port, path }) => {
    if (path) return connect({ path, noDelay: true });
    const i = next++ % host.length;
    return connect({ host: host[i] ?? host[0], port: port[i] ?? port[0] ?? 5432, noDelay: true });
  };
}

/**
 * A select-list expression that lets the transaction of the statement holding it commit without waiting for its WAL
 * flush. Only for statements that write no data (NOTIFY): PostgreSQL serializes the commits of notifying
 * transactions, and a crash can lose nothing of such a transaction but the commit record itself.
 */
export const ASYNC_COMMIT: SQL = sql`set_config('synchronous_commit', 'off', true)`;

async function wrapPostgres(client: Sql, owned: boolean, prepared: boolean): Promise<Database> {
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const orm = drizzle({ client, schema }) as unknown as Orm;
  let closed = false;
  return {
    orm,
    driver: "postgres",
    supportsConcurrency: true,
    rows: (query, options) => (prepared && options?.prepare ? preparedRows(client, query) : queryRows(orm, query)),
    async listen(channel, onPayload) {
      const subscription = await client.listen(channel, onPayload);
      return async () => {
        if (!closed) await subscription.unlisten();
      };
    },
    async notify(channel, payload) {
      const query = sql`select pg_notify(${channel}, ${payload})::text as sent, ${ASYNC_COMMIT} as commit`;
      await (prepared ? preparedRows(client, query) : orm.execute(query));
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(location: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const inMemory = location === "" || location === "memory";
  if (!inMemory) mkdirSync(location, { recursive: true });
  const client: PGlite = await PGlite.create(inMemory ? undefined : location);
  return wrapPglite(client, true);
}

async function wrapPglite(client: PGlite, owned: boolean): Promise<Database> {
  const { drizzle } = await import("drizzle-orm/pglite");
  await client.waitReady;
  const orm = drizzle({ client, schema }) as unknown as Orm;
  let closed = false;
  return {
    orm,
    driver: "pglite",
    supportsConcurrency: false,
    rows: (query) => queryRows(orm, query),
    async listen(channel, onPayload) {
      const unsubscribe = await client.listen(channel, onPayload);
      return async () => {
        if (!closed) await unsubscribe();
      };
    },
    async notify(channel, payload) {
      await orm.execute(sql`select pg_notify(${channel}, ${payload})`);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await client.close();
    },
  };
}
