import { type ApiServer, createApiApp, startApiServer } from "@memcons/api";
import type { Embedder } from "@memcons/consolidation-core";
import type { Database } from "@memcons/models";
import type { Config } from "../common/config.js";
import { ListenError } from "../common/http.js";
import type { AppLogger } from "../common/logger.js";
import { workerVersion } from "../common/version.js";

export type { ApiServer } from "@memcons/api";

/** The package version (from @memcons/worker's package.json), reported in the OpenAPI document and by `memcons --version`. */
export const VERSION: string = workerVersion();

/** Starts the HTTP API on config.host:config.apiPort. */
export async function startApi(
  config: Config,
  deps: { db: Database; logger: AppLogger; embedder: Embedder; adminTokens?: readonly string[] },
): Promise<ApiServer> {
  const logger = deps.logger.child({ component: "api" });
  const adminTokens = deps.adminTokens ?? config.adminTokens;
  if (adminTokens.length === 0) {
    logger.warn({}, "API_ADMIN_TOKENS is empty: only stored tokens (memcons tokens create) are accepted");
  }
  const shutdown = new AbortController();
  const app = createApiApp({
    shutdown: shutdown.signal,
    db: deps.db,
    adminTokens,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    writeRateLimit: { limit: config.writeRateLimit, windowMs: 60_000 },
    defaultThreshold: config.threshold,
    embedder: deps.embedder,
    version: VERSION,
    schedule: { cron: config.schedule, timezone: config.timezone },
  });
  let server: Awaited<ReturnType<typeof startApiServer>>;
  try {
    server = await startApiServer({
      app,
      port: config.apiPort,
      hostname: config.host,
      onClose: () => shutdown.abort(),
    });
  } catch (error) {
    throw new ListenError("API server", config.host, config.apiPort, error);
  }
  logger.info({ url: server.url }, "API listening");
  const started = server;
  return {
    url: started.url,
    port: started.port,
    async close() {
      logger.info({ grace_ms: config.apiShutdownGraceMs }, "API stopping: finishing in-flight requests");
      await started.close({ graceMs: config.apiShutdownGraceMs });
    },
  };
}
