export { type ApiServer, startApi, VERSION } from "./serve/api-server.js";
export type { CliIo, OutputStream } from "./cli/io.js";
export { type Command, migrationTags, parseCli, parseOptionPairs, USAGE, UsageError, usageOf } from "./cli/parse.js";
export { COMMAND_USAGE } from "./cli/help.js";
export { runCli } from "./cli/run.js";
export {
  CONFIG_SCHEMA,
  CONFIG_VARIABLES,
  type Config,
  ConfigError,
  type ConfigVariable,
  type Env,
  loadConfig,
} from "./common/config.js";
export { type ConfigVariableDoc, describeConfigVariables } from "./common/config-docs.js";
export { openDatabase, SchemaNotCurrentError } from "./common/db.js";
export { DatabaseInUseError, lockEmbeddedDatabase } from "./common/pglite-lock.js";
export { localAdminToken, localTokenFile } from "./serve/local-token.js";
export { DEMO_PROJECT_NAME, type DemoOptions, ensureDemoProject, generateDemoMemories } from "./serve/demo.js";
export { createHealthApp, type HealthAppOptions } from "./worker/health.js";
export { type HttpServer, ListenError, listenHttp } from "./common/http.js";
export { type AppLogger, createLogger } from "./common/logger.js";
export { createWorkerMetrics, type WorkerMetrics } from "./worker/metrics.js";
export { createProviders } from "./common/providers.js";
export { consolidationHandler, type JobHandlerDeps, jobHandlers } from "./worker/handlers.js";
export { startWorker, type WorkerDeps, type WorkerProcess } from "./worker/worker.js";
