import type { MemoryType } from "@memcons/models";

/** A lesson agents keep re-learning; the demo writes it several times with small variations. */
export interface DemoTheme {
  type: Exclude<MemoryType, "consolidated" | "synthesis">;
  goal: string;
  summary: string;
  result: string;
  tags: string[];
  files: string[];
}

/** Recurring lessons: each is written 2–9 times, so consolidation merges and summarizes them. */
export const DEMO_THEMES: readonly DemoTheme[] = [
  {
    type: "error_fix",
    goal: "Fix the flaky login test in the auth service",
    summary:
      "The login test failed intermittently because the session cookie was read before the async token refresh resolved. Awaiting refreshToken() before asserting on the cookie made the test deterministic.",
    result: "Test passes 200 times in a row locally and in CI.",
    tags: ["auth", "testing", "flaky-test", "async"],
    files: ["services/auth/src/session.ts", "services/auth/test/login.test.ts"],
  },
  {
    type: "error_fix",
    goal: "Resolve 'too many clients already' errors from PostgreSQL",
    summary:
      "Each request handler created its own database pool, so the server ran out of connections under load. Creating one shared pool at startup with max 10 connections fixed the error.",
    result: "No connection errors in a 30 minute load test.",
    tags: ["postgres", "database", "connection-pool"],
    files: ["src/db/pool.ts", "src/server.ts"],
  },
  {
    type: "decision",
    goal: "Choose how to validate request bodies in the API",
    summary:
      "We validate every request body with zod schemas defined next to the route, and reuse the same schema to generate the OpenAPI document. Hand-written validation drifted from the docs.",
    result: "All routes migrated to zod schemas; the OpenAPI document is generated.",
    tags: ["api", "validation", "zod", "openapi"],
    files: ["src/routes/schemas.ts", "src/routes/index.ts"],
  },
  {
    type: "learning",
    goal: "Speed up the CI pipeline",
    summary:
      "Caching the pnpm store keyed by the lockfile hash cut the install step from four minutes to forty seconds. Restoring node_modules directly caused stale native builds, so cache the store instead.",
    result: "CI runs in under six minutes.",
    tags: ["ci", "pnpm", "cache", "performance"],
    files: [".github/workflows/ci.yml"],
  },
  {
    type: "warning",
    goal: "Run database migrations in production",
    summary:
      "Never run a migration that adds a NOT NULL column without a default on a large table during business hours: it rewrites the table and holds an exclusive lock. Add the column nullable, backfill in batches, then add the constraint.",
    result: "Migration playbook updated.",
    tags: ["postgres", "migrations", "production", "locking"],
    files: ["db/migrations/README.md"],
  },
  {
    type: "codebase_knowledge",
    goal: "Understand how background jobs are scheduled",
    summary:
      "Background jobs live in the jobs table and are claimed with SELECT ... FOR UPDATE SKIP LOCKED by the worker process. The cron schedule only enqueues jobs; it never runs them directly.",
    result: "Documented the job lifecycle in the architecture notes.",
    tags: ["jobs", "queue", "architecture", "postgres"],
    files: ["src/jobs/queue.ts", "src/jobs/cron.ts", "docs/architecture.md"],
  },
  {
    type: "error_fix",
    goal: "Fix the TypeScript build failing after upgrading a dependency",
    summary:
      "The build broke because the new version of the date library ships ESM only. Switching the tsconfig moduleResolution to Bundler and importing the named export fixed the type errors.",
    result: "Build and type-check are green.",
    tags: ["typescript", "esm", "build", "dependencies"],
    files: ["tsconfig.json", "src/utils/dates.ts"],
  },
  {
    type: "discovery",
    goal: "Find why the search endpoint is slow",
    summary:
      "The search endpoint did a sequential scan because the query lower-cased the column. Adding an index on lower(title) brought the p95 latency from 900 ms to 12 ms.",
    result: "p95 latency of search is 12 ms.",
    tags: ["performance", "postgres", "index", "search"],
    files: ["src/search/query.ts", "db/migrations/0042_search_index.sql"],
  },
  {
    type: "error_fix",
    goal: "Stop the React dashboard from re-rendering on every keystroke",
    summary:
      "The filter input re-rendered the whole table because the rows array was rebuilt inline on each render. Memoizing the filtered rows with useMemo and the row component with React.memo fixed the lag.",
    result: "Typing in the filter is smooth with 5,000 rows.",
    tags: ["react", "performance", "frontend", "memoization"],
    files: ["web/src/components/JobTable.tsx"],
  },
  {
    type: "learning",
    goal: "Handle rate limits from the embeddings provider",
    summary:
      "The embeddings provider returns HTTP 429 with a Retry-After header when we exceed the rate limit. Retrying with exponential backoff and jitter, honoring Retry-After, removed the failed batches.",
    result: "Zero failed embedding batches over a night of ingestion.",
    tags: ["retry", "rate-limit", "embeddings", "http"],
    files: ["src/ai/embeddings.ts", "src/utils/retry.ts"],
  },
  {
    type: "decision",
    goal: "Decide where configuration comes from",
    summary:
      "Configuration is read from environment variables once at startup and validated with a schema; a bad value stops the process with a message naming the variable. Libraries receive plain options and never read the environment.",
    result: "One config module; libraries are environment-free.",
    tags: ["config", "environment", "architecture"],
    files: ["src/config.ts"],
  },
  {
    type: "error_fix",
    goal: "Fix the Docker image failing to start in Kubernetes",
    summary:
      "The container exited immediately because the entrypoint used a shell script with Windows line endings. Converting the script to LF line endings and adding a .gitattributes rule fixed the CrashLoopBackOff.",
    result: "Pods start and pass their readiness probe.",
    tags: ["docker", "kubernetes", "deployment"],
    files: ["docker/entrypoint.sh", ".gitattributes"],
  },
  {
    type: "warning",
    goal: "Keep secrets out of logs",
    summary:
      "The request logger printed the Authorization header, leaking bearer tokens into the log aggregator. Redact authorization, cookie and any field named token or password before logging.",
    result: "Logger redaction rules added and tested.",
    tags: ["security", "logging", "secrets"],
    files: ["src/logging/logger.ts"],
  },
  {
    type: "discovery",
    goal: "Investigate memory growth in the worker process",
    summary:
      "The worker leaked memory because an event listener was added for every job and never removed. Removing the listener in a finally block kept the heap flat over ten thousand jobs.",
    result: "Heap stays under 150 MB after ten thousand jobs.",
    tags: ["memory-leak", "node", "worker", "events"],
    files: ["src/worker/runner.ts"],
  },
  {
    type: "error_fix",
    goal: "Fix timezone bugs in the nightly report",
    summary:
      "The nightly report skipped a day after the daylight saving change because dates were computed in server local time. Storing timestamps as UTC and converting only for display fixed the missing day.",
    result: "Reports are correct across DST changes.",
    tags: ["timezone", "dates", "reports", "utc"],
    files: ["src/reports/nightly.ts", "src/utils/dates.ts"],
  },
  {
    type: "codebase_knowledge",
    goal: "Learn how authentication tokens are issued",
    summary:
      "Access tokens are short-lived JWTs signed with the key in the KMS, valid for fifteen minutes; refresh tokens are opaque, stored hashed in the refresh_tokens table and rotated on every use.",
    result: "Wrote the token lifecycle into the security notes.",
    tags: ["auth", "jwt", "security", "tokens"],
    files: ["services/auth/src/tokens.ts", "docs/security.md"],
  },
  {
    type: "learning",
    goal: "Make database tests independent",
    summary:
      "Tests interfered with each other because they shared one database. Creating a fresh database per test file and dropping it afterwards made the suite order-independent and parallel-safe.",
    result: "The test suite passes in any order.",
    tags: ["testing", "database", "isolation"],
    files: ["test/setup.ts"],
  },
  {
    type: "error_fix",
    goal: "Fix duplicate webhook deliveries",
    summary:
      "Webhooks were delivered twice when the worker retried after a timeout even though the first attempt had succeeded. Sending an idempotency key and recording delivered event ids stopped the duplicates.",
    result: "No duplicate deliveries in a week of monitoring.",
    tags: ["webhooks", "idempotency", "retry"],
    files: ["src/webhooks/deliver.ts", "src/webhooks/store.ts"],
  },
  {
    type: "decision",
    goal: "Pick a logging format for production",
    summary:
      "Production services log JSON lines with a level, timestamp, request id and job id so the log aggregator can index them. Pretty printing is only enabled in local development.",
    result: "All services log JSON in production.",
    tags: ["logging", "observability", "json"],
    files: ["src/logging/logger.ts"],
  },
  {
    type: "error_fix",
    goal: "Fix the graceful shutdown of the API server",
    summary:
      "Deployments dropped in-flight requests because the server exited on SIGTERM immediately. Stopping new connections, waiting for open requests up to a grace period and then closing the database pool fixed the errors during rollouts.",
    result: "Zero 502 responses during rolling deployments.",
    tags: ["shutdown", "sigterm", "deployment", "api"],
    files: ["src/server.ts"],
  },
];

/** Words the one-off memories are made of; combined at random so each one is unique. */
export const ONE_OFF_PARTS = {
  components: [
    "billing service", "notification queue", "user settings page", "GraphQL gateway", "file upload handler",
    "invoice PDF renderer", "feature flag client", "audit log exporter", "CSV importer", "search indexer",
    "payment webhook", "email templates", "session store", "admin dashboard", "mobile sync endpoint",
    "image thumbnailer", "rate limiter", "OAuth callback", "metrics exporter", "tenant provisioning script",
  ],
  problems: [
    "returned a 500 on empty input", "timed out on large accounts", "used the wrong currency rounding",
    "ignored the locale header", "double-counted cancelled orders", "leaked file descriptors",
    "crashed on unicode filenames", "sent emails to deactivated users", "lost updates under concurrent edits",
    "stored timestamps without a time zone", "retried forever on a 400 response", "cached stale permissions",
    "blocked the event loop with synchronous hashing", "mis-sorted names with accents", "truncated long descriptions",
  ],
  fixes: [
    "added input validation with a clear error message", "paginated the query with a keyset cursor",
    "switched to integer cents for money", "passed the locale through to the formatter",
    "filtered cancelled orders in the SQL query", "closed the stream in a finally block",
    "normalized filenames to NFC before saving", "checked the account status before sending",
    "used optimistic locking with a version column", "migrated the column to timestamptz",
    "stopped retrying on 4xx responses", "invalidated the cache on role changes",
    "moved hashing to a worker thread", "used Intl.Collator for sorting", "raised the column limit and added a test",
  ],
  dirs: ["src/billing", "src/notifications", "web/src/settings", "src/gateway", "src/uploads", "src/invoices",
    "src/flags", "src/audit", "src/import", "src/search", "src/payments", "src/email", "src/session", "web/src/admin",
    "src/sync", "src/images", "src/ratelimit", "src/oauth", "src/metrics", "scripts"],
} as const;
