import { createApiApp, startApiServer } from "@memcons/api";
import type { Embedder } from "@memcons/consolidation-core";
import type { Database } from "@memcons/models";
import type { Config } from "../common/config.js";
import { ListenError } from "../common/http.js";
import type { AppLogger } from "../common/logger.js";

/** A running API server. */
export interface ApiServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The package version, reported in the OpenAPI document. */
export const VERSION = "0.1.0";

/** Starts the HTTP API on config.host:config.apiPort. */
export async function startApi(
  config: Config,
  deps: { db: Database; logger: AppLogger; embedder: Embedder; adminTokens?: readonly string[] },
): Promise<ApiServer> {
  const logger = deps.logger.child({ component: "api" });
  const adminTokens = deps.adminTokens ?? config.adminTokens;
  if (adminTokens.length === 0) {
    logger.warn({}, "API_ADMIN_TOKENS is empty: every /api/v1 route will answer 401");
  }
  const app = createApiApp({
    db: deps.db,
    adminTokens,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    defaultThreshold: config.threshold,
    embedder: deps.embedder,
    version: VERSION,
    schedule: { cron: config.schedule, timezone: config.timezone },
  });
  let server: ApiServer;
  try {
    server = await startApiServer({ app, port: config.apiPort, hostname: config.host });
  } catch (error) {
    throw new ListenError("API server", config.host, config.apiPort, error);
  }
  logger.info({ url: server.url }, "API listening");
  return server;
}
