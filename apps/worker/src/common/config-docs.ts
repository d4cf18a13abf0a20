import { CONFIG_SCHEMA, type ConfigVariable } from "./config.js";

/** What each environment variable does: the text of docs/configuration.md (a type error when one is missing). */
const DESCRIPTIONS: Readonly<Record<ConfigVariable, string>> = {
  DATABASE_URL:
    "database to use: `postgres://…` / `postgresql://…` (a server), `pglite://<dir>` or `pglite://memory` (embedded, one process at a time)",
  DATABASE_MAX_CONNECTIONS: "connection pool size per process (PostgreSQL)",
  MIGRATE_ON_START:
    "apply pending migrations when `api`, `worker` or `start` starts (safe with many processes); with `false` a process refuses to start on an outdated schema",
  API_ADMIN_TOKENS:
    "comma-separated bearer tokens (16+ characters each) accepted by `/api/v1/*`; empty → every such route answers 401 (`memcons start` then generates one, keeps it next to an embedded database as `<dir>.admin-token`, and prints it)",
  API_PORT: "port of the HTTP API (`0` = any free port)",
  API_BODY_LIMIT_BYTES: "largest accepted request body (a 1,000-memory ingest fits in the default)",
  HOST: "interface the API and the health server bind to (`memcons start` uses `127.0.0.1` unless it is set)",
  PORT: "port of the worker's health server: `/healthz`, `/readyz`, `/metrics` (`0` = any free port)",
  CONSOLIDATION_SCHEDULE: "cron expression of the scheduled sweep (5 or 6 fields, validated by croner at start)",
  CONSOLIDATION_TIMEZONE: "IANA time zone of the schedules, e.g. `Europe/Paris`",
  CONSOLIDATION_CATCH_UP_MS:
    "a slot missed while every worker was down runs once at start if it is at most this old (`0` = never catch up); also applies to the audit purge",
  AUDIT_RETENTION_DAYS:
    "audit rows (`consolidation_changes`) older than this are deleted by the daily purge; `0` keeps them forever, otherwise at least `7` (the rollback window)",
  AUDIT_PURGE_SCHEDULE:
    "cron expression (in `CONSOLIDATION_TIMEZONE`) of the audit purge; each slot runs once across all workers",
  CONSOLIDATION_THRESHOLD:
    "global memory-count threshold (10..1000) for projects without their own; reaching it after an ingest queues a `threshold` job",
  CONSOLIDATION_TIMEOUT: "seconds one job attempt may run (60..3600); a timeout counts as a failed attempt",
  WORKER_CONCURRENCY: "jobs one worker runs at once (1..64)",
  WORKER_JOB_THREADS:
    "most threads one job computes with while it looks for duplicates among 20,000 memories or more (1..64; default one per core, at most 4; `1` starts no worker thread)",
  WORKER_ID: "name a worker records in `locked_by` (default `<hostname>-<pid>`)",
  WORKER_LEASE_MS: "lease on a running job; another worker reclaims the job when it expires",
  WORKER_HEARTBEAT_MS: "how often a worker renews its leases (must be shorter than the lease)",
  WORKER_POLL_MS: "polling interval, the fallback when no NOTIFY arrives",
  WORKER_OUTAGE_LIMIT_MS:
    "a job whose step failed because the database went away waits this long for it (keeping its lease) and then resumes on the same worker without using a retry; `0` = fail the attempt at once ([reliability](reliability.md))",
  DATABASE_STATEMENT_TIMEOUT_MS:
    "`statement_timeout` of every pooled connection (must be shorter than the lease)",
  DATABASE_LOCK_TIMEOUT_MS:
    "`lock_timeout` of every pooled connection (must be shorter than the lease)",
  DATABASE_PREPARED_STATEMENTS:
    "keep the job queue's hot statements (claim, completion, heartbeat) prepared on each pooled connection; set `false` behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21)",
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS:
    "`idle_in_transaction_session_timeout` of every pooled connection (must be shorter than the lease), so a frozen process's transaction and locks end before its lease does",
  API_SHUTDOWN_GRACE_MS:
    "on SIGTERM/SIGINT the API stops accepting connections, sends open event streams a final `shutdown` event, and lets in-flight requests finish for this long before it closes what is left and exits 0",
  API_WRITE_RATE_LIMIT:
    "write requests (every method but GET) one token may make per minute to one API process; over it the API answers 429 with `Retry-After`; `0` turns the limit off (see [access](access.md))",
  SHUTDOWN_GRACE_MS:
    "on SIGTERM/SIGINT, how long running jobs may continue before they are aborted and released to the queue (a job that ignores the abort is released 5 s later; the default fits Kubernetes' 30 s termination grace period)",
  EMBEDDER_PROVIDER:
    "`hashing` (offline, deterministic) or `openai` (any OpenAI-compatible `/embeddings` API; its embeddings are saved as soon as they arrive, so a job that fails and is retried never pays for them twice)",
  HASHING_EMBEDDER_VERSION:
    "feature set of the `hashing` embedder: `3` (`hashing-v3-<dims>`: lemmas, with irregular forms, stems and synonyms as one word, plus the more general words they are a kind of), `2` (`hashing-v2-<dims>`: normalized, stemmed words and their bigrams) or `1` (`hashing-v1-<dims>`: words, bigrams and character trigrams); changing it re-embeds on the next job; see [embedders.md](embedders.md)",
  EMBEDDING_MODEL: "model name sent to the embeddings API (`openai` only)",
  EMBEDDING_DIMENSIONS:
    "vector length (16..4096; default 256 with `hashing`, 1536 with `openai`); must stay the same for a database's lifetime",
  SYNTHESIZER_PROVIDER: "`extractive` (offline, deterministic) or `openai` (any OpenAI-compatible `/chat/completions` API)",
  SYNTHESIS_MODEL: "chat model that writes synthesis memories (`openai` only)",
  JUDGE_MODEL:
    "chat model (at `OPENAI_BASE_URL`) that decides review proposals during jobs; empty: proposals wait for a person (see [review](review.md))",
  OPENAI_BASE_URL:
    "base URL of the OpenAI-compatible API (e.g. `http://127.0.0.1:11434/v1` for a local server)",
  OPENAI_API_KEY: "bearer key for that API",
  OPENAI_TIMEOUT_MS: "timeout of one call to that API",
  LOG_LEVEL: "`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`",
};

/** One environment variable as the configuration reference documents it. */
export interface ConfigVariableDoc {
  name: ConfigVariable;
  /** The value used when the variable is unset, as text; undefined when there is none. */
  defaultValue: string | undefined;
  description: string;
}

/** Every environment variable loadConfig reads, in schema order, with its default and description. */
export function describeConfigVariables(): ConfigVariableDoc[] {
  return (Object.keys(CONFIG_SCHEMA.shape) as ConfigVariable[]).map((name) => {
    const parsed = CONFIG_SCHEMA.shape[name].safeParse(undefined);
    const value: unknown = parsed.success ? parsed.data : undefined;
    return { name, defaultValue: value === undefined ? undefined : String(value), description: DESCRIPTIONS[name] };
  });
}
