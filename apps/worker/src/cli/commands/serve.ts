import { relative } from "node:path";
import { type Database, redactUrl } from "@memcons/models";
import { type ApiServer, startApi } from "../../serve/api-server.js";
import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";
import { type Config, loadConfig } from "../../common/config.js";
import { openDatabaseHandle, prepareDatabaseWhenReachable } from "../../common/db.js";
import { ensureDemoProject } from "../../serve/demo.js";
import { localAdminToken, localTokenFile } from "../../serve/local-token.js";
import { type AppLogger, createLogger } from "../../common/logger.js";
import { installProcessGuard, type ProcessGuard } from "../../common/process-guard.js";
import { createProviders } from "../../common/providers.js";
import { startWorker, type WorkerProcess } from "../../worker/worker.js";

/** `memcons worker`: runs the job runner, the cron and the health server until SIGTERM/SIGINT. */
export async function workerCommand(io: CliIo): Promise<number> {
  return serve(io, "worker", async (config, db, logger, ready, guard) => {
    const worker = await startWorker(config, {
      db,
      logger,
      ...createProviders(config),
      databaseReady: ready,
      driverFault: () => guard.fault(),
    });
    return () => worker.stop();
  });
}

/** `memcons api`: runs the HTTP API until SIGTERM/SIGINT. */
export async function apiCommand(io: CliIo): Promise<number> {
  return serve(io, "api", async (config, db, logger) => {
    const api = await startApi(config, { db, logger, embedder: createProviders(config).embedder });
    return () => api.close();
  });
}

/** `memcons start`: API + worker in one process, with the demo project, and a how-to on stdout. */
export async function startCommand(cmd: Extract<Command, { name: "start" }>, io: CliIo): Promise<number> {
  // A local try-out: listen on the loopback interface unless HOST says otherwise.
  const env = io.env.HOST?.trim() ? io.env : { ...io.env, HOST: "127.0.0.1" };
  return serve({ ...io, env }, "start", async (config, db, logger, ready, guard) => {
    await ready;
    const generated = config.adminTokens.length === 0;
    const tokenFile = generated ? localTokenFile(config.databaseUrl) : null;
    const local = generated ? localAdminToken(tokenFile) : null;
    const adminTokens = local ? [local.token] : config.adminTokens;
    const demo = cmd.demo ? await ensureDemoProject(db) : null;
    if (demo?.created) logger.info({ project_id: demo.project.id, memories: demo.memories }, "demo project created");
    const providers = createProviders(config);
    const api: ApiServer = await startApi(config, { db, logger, embedder: providers.embedder, adminTokens });
    let worker: WorkerProcess;
    try {
      worker = await startWorker(config, { db, logger, ...providers, driverFault: () => guard.fault() });
    } catch (error) {
      await api.close();
      throw error;
    }
    io.stdout.write(
      banner({
        config,
        apiUrl: api.url,
        healthUrl: worker.health?.url ?? null,
        token: adminTokens[0]!,
        tokenNote: !local
          ? ""
          : local.stored && tokenFile
            ? `   (kept in ${relativeToCwd(tokenFile)}; set API_ADMIN_TOKENS to choose your own)`
            : "   (generated for this run; set API_ADMIN_TOKENS to choose your own)",
        demo: demo ? { id: demo.project.id, memories: demo.memories, created: demo.created } : null,
      }),
    );
    return async () => {
      await worker.stop();
      await api.close();
    };
  });
}

type Stop = () => Promise<void>;

/**
 * Opens the database, starts a service at once (its HTTP servers answer /readyz 503 while the database
 * is unreachable), waits for the database (retrying with backoff) and for the shutdown signal, then
 * stops the service and closes everything. Database driver errors nobody caught are logged, never fatal.
 */
async function serve(
  io: CliIo,
  name: string,
  start: (config: Config, db: Database, logger: AppLogger, ready: Promise<void>, guard: ProcessGuard) => Promise<Stop>,
): Promise<number> {
  const config = loadConfig(io.env);
  const logger = createLogger(config.logLevel, { name: `memcons-${name}` });
  const db = await openDatabaseHandle(config, { applicationName: `memcons-${name}` });
  const guard = installProcessGuard(logger);
  const preparing = prepareDatabaseWhenReachable(db, config.migrateOnStart, logger, io.shutdown);
  const ready = preparing.then(() => undefined);
  ready.catch(() => {});
  let stop: Stop;
  try {
    stop = await start(config, db, logger, ready, guard);
  } catch (error) {
    await db.close();
    guard.uninstall();
    if (io.shutdown.aborted) return 0;
    throw error;
  }
  try {
    const applied = await preparing;
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
  } catch (error) {
    if (!io.shutdown.aborted) {
      await stop().catch(() => {});
      await db.close();
      guard.uninstall();
      throw error;
    }
  }
  await new Promise<void>((resolve) => {
    if (io.shutdown.aborted) resolve();
    else io.shutdown.addEventListener("abort", () => resolve(), { once: true });
  });
  logger.info({ reason: String(io.shutdown.reason ?? "shutdown") }, "shutting down");
  try {
    await stop();
  } finally {
    await db.close();
    guard.uninstall();
    logger.info({}, "bye");
    logger.flush();
  }
  return 0;
}

function banner(o: {
  config: Config;
  apiUrl: string;
  healthUrl: string | null;
  token: string;
  tokenNote: string;
  demo: { id: string; memories: number; created: boolean } | null;
}): string {
  const lines = [
    "",
    `memcons is running on ${redactUrl(o.config.databaseUrl)}`,
    "",
    `  API       ${o.apiUrl}   (OpenAPI: ${o.apiUrl}/openapi.json, docs: ${o.apiUrl}/docs)`,
    `  Console   ${o.apiUrl}/ui/   (sign in with the token below)`,
  ];
  if (o.healthUrl) lines.push(`  Worker    ${o.healthUrl}/healthz  ${o.healthUrl}/metrics`);
  lines.push(
    `  Token     ${o.token}${o.tokenNote}`,
  );
  if (o.demo) {
    lines.push(
      `  Demo      project ${o.demo.id} (${o.demo.memories} memories${o.demo.created ? ", just created" : ""})`,
      "",
      "Trigger a consolidation from another terminal:",
      "",
      `  export API=${o.apiUrl} TOKEN=${o.token} PROJECT=${o.demo.id}`,
      `  curl -s -X POST "$API/api/v1/consolidation/trigger" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d "{\\"project_id\\":\\"$PROJECT\\"}"`,
    );
  }
  lines.push("", "Press Ctrl+C to stop.", "", "");
  return lines.join("\n");
}

function relativeToCwd(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : `./${rel}`;
}
