export type { CliIo, OutputStream } from "./cli/io.js";
export { type Command, parseCli, parseOptionPairs, USAGE, UsageError } from "./cli/parse.js";
export { CONFIG_VARIABLES, type Config, ConfigError, type Env, loadConfig } from "./config.js";
export { openDatabase, SchemaNotCurrentError } from "./db.js";
export { DEMO_PROJECT_NAME, type DemoOptions, ensureDemoProject, generateDemoMemories } from "./demo.js";
export { createHealthApp, type HealthAppOptions } from "./health.js";
export { type HttpServer, ListenError, listenHttp } from "./http.js";
export { type AppLogger, createLogger } from "./logger.js";
export { createWorkerMetrics, type WorkerMetrics } from "./metrics.js";
