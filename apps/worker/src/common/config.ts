import { hostname } from "node:os";
import { MemconsError } from "@memcons/models";
import { z } from "zod";

/** A configuration variable is missing or invalid; `variable` names it. */
export class ConfigError extends MemconsError {
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super("config_error", `${variable}: ${message}`);
    this.variable = variable;
  }
}

/** Environment variables as a plain map (process.env or a test object). */
export type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["true", "false", "1", "0", "yes", "no", "on", "off"].includes(v), {
    error: "must be true or false",
  })
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

const port = int(0, 65_535);

const databaseUrl = z
  .string()
  .trim()
  .refine((v) => /^(postgres(ql)?:\/\/|pglite:\/\/)/i.test(v), {
    error: "must start with postgres://, postgresql:// or pglite://",
  });

const timezone = z
  .string()
  .trim()
  .refine(isTimeZone, { error: "must be an IANA time zone such as UTC or Europe/Paris" });

const httpUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s]+$/i.test(v), { error: "must be an http:// or https:// URL" });

/** Every environment variable the worker, the API and the CLI read, with its default (described in config-docs.ts). */
export const CONFIG_SCHEMA = z.object({
  DATABASE_URL: databaseUrl.default("pglite://./.data/memcons"),
  DATABASE_MAX_CONNECTIONS: int(1, 1000).default(10),
  CONSOLIDATION_SCHEDULE: z.string().trim().min(1).default("0 2 * * *"),
  CONSOLIDATION_TIMEZONE: timezone.default("UTC"),
  CONSOLIDATION_THRESHOLD: int(10, 1000).default(100),
  CONSOLIDATION_TIMEOUT: int(60, 3600).default(600),
  CONSOLIDATION_CATCH_UP_MS: int(0, 30 * 86_400_000).default(86_400_000),
  AUDIT_RETENTION_DAYS: int(0, 36_500)
    .refine((v) => v === 0 || v >= 7, { error: "must be 0 (keep audit rows forever) or at least 7 (the rollback window)" })
    .default(90),
  AUDIT_PURGE_SCHEDULE: z.string().trim().min(1).default("30 3 * * *"),
  WORKER_CONCURRENCY: int(1, 64).default(2),
  WORKER_JOB_THREADS: int(1, 64).optional(),
  WORKER_ID: z.string().trim().min(1).max(200).optional(),
  WORKER_LEASE_MS: int(1_000, 3_600_000).default(30_000),
  WORKER_HEARTBEAT_MS: int(100, 3_600_000).default(10_000),
  WORKER_POLL_MS: int(50, 600_000).default(2_000),
  WORKER_OUTAGE_LIMIT_MS: int(0, 3_600_000).default(60_000),
  DATABASE_STATEMENT_TIMEOUT_MS: int(100, 3_600_000).optional(),
  DATABASE_LOCK_TIMEOUT_MS: int(100, 3_600_000).optional(),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: int(100, 3_600_000).optional(),
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(20_000),
  API_SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(10_000),
  MIGRATE_ON_START: bool.default(true),
  HOST: z.string().trim().min(1).default("0.0.0.0"),
  PORT: port.default(9090),
  API_PORT: port.default(8080),
  API_ADMIN_TOKENS: z.string().default(""),
  API_BODY_LIMIT_BYTES: int(1024, 1024 * 1024 * 1024).default(5 * 1024 * 1024),
  API_WRITE_RATE_LIMIT: int(0, 1_000_000).default(600),
  EMBEDDER_PROVIDER: z.enum(["hashing", "openai"], { error: "must be hashing or openai" }).default("hashing"),
  HASHING_EMBEDDER_VERSION: z.enum(["1", "2", "3"], { error: "must be 1, 2 or 3" }).default("3"),
  SYNTHESIZER_PROVIDER: z
    .enum(["extractive", "openai"], { error: "must be extractive or openai" })
    .default("extractive"),
  OPENAI_BASE_URL: httpUrl.default("https://api.openai.com/v1"),
  OPENAI_API_KEY: z.string().trim().min(1).optional(),
  OPENAI_TIMEOUT_MS: int(1_000, 600_000).default(30_000),
  EMBEDDING_MODEL: z.string().trim().min(1).default("text-embedding-3-small"),
  EMBEDDING_DIMENSIONS: int(16, 4096).optional(),
  SYNTHESIS_MODEL: z.string().trim().min(1).default("gpt-4o-mini"),
  JUDGE_MODEL: z.string().trim().min(1).optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` })
    .default("info"),
});

/** The name of an environment variable loadConfig reads. */
export type ConfigVariable = keyof typeof CONFIG_SCHEMA.shape;

/** The names of every variable loadConfig reads. */
export const CONFIG_VARIABLES = Object.keys(CONFIG_SCHEMA.shape) as ReadonlyArray<ConfigVariable>;

/** Validated configuration of the worker process, the API server and the CLI. */
export interface Config {
  databaseUrl: string;
  databaseMaxConnections: number;
  /** Whether the queue's hot statements are prepared once per connection. */
  databasePreparedStatements: boolean;
  schedule: string;
  timezone: string;
  threshold: number;
  jobTimeoutMs: number;
  catchUpWindowMs: number;
  /** Days audit rows are kept; 0 keeps them forever. */
  auditRetentionDays: number;
  /** Cron expression (in `timezone`) of the audit purge. */
  auditPurgeSchedule: string;
  concurrency: number;
  /** Most threads one job computes with while it looks for duplicates (undefined: one per core, at most 4). */
  jobThreads: number | undefined;
  workerId: string;
  leaseMs: number;
  heartbeatMs: number;
  pollIntervalMs: number;
  /** Longest database outage a running job waits out (keeping its lease) before its attempt fails. */
  outageLimitMs: number;
  /** Session timeouts of every pooled connection, all below the lease so a frozen holder's locks end with it. */
  databaseTimeouts: { statementTimeoutMs: number; lockTimeoutMs: number; idleInTransactionTimeoutMs: number };
  shutdownGraceMs: number;
  /** On SIGTERM/SIGINT, how long the API lets in-flight requests finish. */
  apiShutdownGraceMs: number;
  migrateOnStart: boolean;
  host: string;
  healthPort: number;
  apiPort: number;
  /** Admin bearer tokens from API_ADMIN_TOKENS (comma-separated); empty when unset. */
  adminTokens: string[];
  bodyLimitBytes: number;
  /** Write requests per minute one token may make to one API process; 0 turns the limit off. */
  writeRateLimit: number;
  embedder:
    | { provider: "hashing"; version?: 1 | 2 | 3; dimensions?: number }
    | { provider: "openai"; baseUrl: string; apiKey?: string; model: string; dimensions: number; timeoutMs: number };
  synthesizer:
    | { provider: "extractive" }
    | { provider: "openai"; baseUrl: string; apiKey?: string; model: string; timeoutMs: number };
  /** The chat model that decides review proposals (JUDGE_MODEL), or null: proposals wait for a person. */
  judge: { baseUrl: string; apiKey?: string; model: string; timeoutMs: number } | null;
  logLevel: (typeof LOG_LEVELS)[number];
}

/** Validates environment variables into a Config; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const input: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") input[name] = value;
  }
  const parsed = CONFIG_SCHEMA.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    throw new ConfigError(variable, `${issue.message} (got ${JSON.stringify(input[variable] ?? "")})`);
  }
  const e = parsed.data;
  if (e.WORKER_HEARTBEAT_MS >= e.WORKER_LEASE_MS) {
    throw new ConfigError(
      "WORKER_HEARTBEAT_MS",
      `must be shorter than WORKER_LEASE_MS (${e.WORKER_LEASE_MS}), got ${e.WORKER_HEARTBEAT_MS}`,
    );
  }
  const databaseTimeouts = {
    statementTimeoutMs: belowLease("DATABASE_STATEMENT_TIMEOUT_MS", e.DATABASE_STATEMENT_TIMEOUT_MS, e.WORKER_LEASE_MS, 0.5),
    lockTimeoutMs: belowLease("DATABASE_LOCK_TIMEOUT_MS", e.DATABASE_LOCK_TIMEOUT_MS, e.WORKER_LEASE_MS, 1 / 3),
    idleInTransactionTimeoutMs: belowLease(
      "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
      e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      e.WORKER_LEASE_MS,
      0.5,
    ),
  };
  const apiKey = e.OPENAI_API_KEY;
  return {
    databaseUrl: e.DATABASE_URL,
    databaseMaxConnections: e.DATABASE_MAX_CONNECTIONS,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    schedule: e.CONSOLIDATION_SCHEDULE,
    timezone: e.CONSOLIDATION_TIMEZONE,
    threshold: e.CONSOLIDATION_THRESHOLD,
    jobTimeoutMs: e.CONSOLIDATION_TIMEOUT * 1000,
    catchUpWindowMs: e.CONSOLIDATION_CATCH_UP_MS,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    auditPurgeSchedule: e.AUDIT_PURGE_SCHEDULE,
    concurrency: e.WORKER_CONCURRENCY,
    jobThreads: e.WORKER_JOB_THREADS,
    workerId: e.WORKER_ID ?? `${hostname()}-${process.pid}`,
    leaseMs: e.WORKER_LEASE_MS,
    heartbeatMs: e.WORKER_HEARTBEAT_MS,
    pollIntervalMs: e.WORKER_POLL_MS,
    outageLimitMs: e.WORKER_OUTAGE_LIMIT_MS,
    databaseTimeouts,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    apiShutdownGraceMs: e.API_SHUTDOWN_GRACE_MS,
    migrateOnStart: e.MIGRATE_ON_START,
    host: e.HOST,
    healthPort: e.PORT,
    apiPort: e.API_PORT,
    adminTokens: parseTokens(e.API_ADMIN_TOKENS),
    bodyLimitBytes: e.API_BODY_LIMIT_BYTES,
    writeRateLimit: e.API_WRITE_RATE_LIMIT,
    embedder:
      e.EMBEDDER_PROVIDER === "openai"
        ? {
            provider: "openai",
            baseUrl: e.OPENAI_BASE_URL,
            ...(apiKey ? { apiKey } : {}),
            model: e.EMBEDDING_MODEL,
            dimensions: e.EMBEDDING_DIMENSIONS ?? 1536,
            timeoutMs: e.OPENAI_TIMEOUT_MS,
          }
        : {
            provider: "hashing",
            ...(e.HASHING_EMBEDDER_VERSION === "3" ? {} : { version: Number(e.HASHING_EMBEDDER_VERSION) as 1 | 2 }),
            ...(e.EMBEDDING_DIMENSIONS ? { dimensions: e.EMBEDDING_DIMENSIONS } : {}),
          },
    synthesizer:
      e.SYNTHESIZER_PROVIDER === "openai"
        ? {
            provider: "openai",
            baseUrl: e.OPENAI_BASE_URL,
            ...(apiKey ? { apiKey } : {}),
            model: e.SYNTHESIS_MODEL,
            timeoutMs: e.OPENAI_TIMEOUT_MS,
          }
        : { provider: "extractive" },
    judge: e.JUDGE_MODEL
      ? { baseUrl: e.OPENAI_BASE_URL, ...(apiKey ? { apiKey } : {}), model: e.JUDGE_MODEL, timeoutMs: e.OPENAI_TIMEOUT_MS }
      : null,
    logLevel: e.LOG_LEVEL,
  };
}

/** A session timeout: the given value (which must be below the lease) or `share` of the lease. */
function belowLease(variable: string, value: number | undefined, leaseMs: number, share: number): number {
  if (value === undefined) return Math.max(100, Math.floor(leaseMs * share));
  if (value >= leaseMs) throw new ConfigError(variable, `must be shorter than WORKER_LEASE_MS (${leaseMs}), got ${value}`);
  return value;
}

function parseTokens(raw: string): string[] {
  const tokens = raw
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  const short = tokens.find((t) => t.length < 16);
  if (short !== undefined) {
    throw new ConfigError("API_ADMIN_TOKENS", "every token must be at least 16 characters long");
  }
  return tokens;
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
