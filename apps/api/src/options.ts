import type { Embedder } from "@memcons/consolidation-core";
import type { Database, Logger } from "@memcons/models";
import type { Principal } from "./access/principal.js";
import type { WriteRateLimit } from "./access/rate-limit.js";
import type { SearchIndex } from "./services/search-index.js";

/** Settings of createApiApp. */
export interface ApiOptions {
  /** The memcons database the API reads and writes. */
  db: Database;
  /** Admin bearer tokens (every scope, every project); stored tokens from the database are accepted too. */
  adminTokens: readonly string[];
  /** Structured logger (default: discards everything). */
  logger?: Logger;
  /** Largest accepted request body in bytes (default 5 MiB). */
  bodyLimitBytes?: number;
  /** Global threshold used by the post-ingest threshold check (default 100). */
  defaultThreshold?: number;
  /** Embedder for `q=` search and ingest embeddings (default: the offline hashing embedder). */
  embedder?: Embedder;
  /** Version reported in the OpenAPI document (default 0.1.0). */
  version?: string;
  /** Interval of SSE heartbeat comments in milliseconds (default 15,000). */
  sseHeartbeatMs?: number;
  /** Per-token limit on write requests, per process (default: none). */
  writeRateLimit?: WriteRateLimit;
  /** How long a stored token's lookup is reused, in milliseconds (default 250; revocation takes effect within it). */
  tokenCacheMs?: number;
  /** Aborted when the server shuts down: open event streams then send a final `shutdown` event and end. */
  shutdown?: AbortSignal;
  /** The scheduled sweep the workers run, reported by GET /api/v1/consolidation/schedule (default: unknown). */
  schedule?: { cron: string; timezone: string };
  /** Directory of the built admin console served at /ui (default: the package's dist/ui). */
  consoleDir?: string;
  /** Most memory vectors `q=` search keeps in memory over all projects (default 300,000). */
  searchCacheVectors?: number;
  /**
   * Path the app is mounted under, as in `host.route("/memcons", createApiApp({ …, basePath: "/memcons" }))`
   * (default: the root). The OpenAPI document's `servers` entry and the links of /docs carry it.
   */
  basePath?: string;
}

/** ApiOptions with every default resolved; what route modules receive. */
export interface ApiDeps {
  readonly db: Database;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly defaultThreshold: number;
  readonly embedder: Embedder;
  readonly version: string;
  readonly sseHeartbeatMs: number;
  /** Re-checks a stored token during long requests (event streams). */
  readonly stillValid: (principal: Principal) => Promise<boolean>;
  readonly shutdown: AbortSignal | undefined;
  readonly schedule: { cron: string; timezone: string } | undefined;
  readonly consoleDir: string;
  readonly searchIndex: SearchIndex;
}

/** Hono environment of the API: the authenticated principal and its audit name are stored per request. */
export type ApiEnv = { Variables: { actor: string; principal: Principal } };

/** Default request body limit: a 1,000-memory ingest must fit. */
export const DEFAULT_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
