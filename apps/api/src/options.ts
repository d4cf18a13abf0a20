import type { Embedder } from "@memcons/consolidation-core";
import type { Database, Logger } from "@memcons/models";
import type { SearchIndex } from "./services/search-index.js";

/** Settings of createApiApp. */
export interface ApiOptions {
  /** The memcons database the API reads and writes. */
  db: Database;
  /** Accepted admin bearer tokens; empty means every protected route answers 401. */
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
  /** The scheduled sweep the workers run, reported by GET /api/v1/consolidation/schedule (default: unknown). */
  schedule?: { cron: string; timezone: string };
  /** Directory of the built admin console served at /ui (default: the package's dist/ui). */
  consoleDir?: string;
  /** Most memory vectors `q=` search keeps in memory over all projects (default 300,000). */
  searchCacheVectors?: number;
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
  readonly schedule: { cron: string; timezone: string } | undefined;
  readonly consoleDir: string;
  readonly searchIndex: SearchIndex;
}

/** Hono environment of the API: the authenticated actor is stored per request. */
export type ApiEnv = { Variables: { actor: string } };

/** Default request body limit: a 1,000-memory ingest must fit. */
export const DEFAULT_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
