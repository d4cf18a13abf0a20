import { OpenAPIHono } from "@hono/zod-openapi";
import { createHashingEmbedder } from "@memcons/consolidation-core";
import { noopLogger, ValidationError } from "@memcons/models";
import { bodyLimit } from "hono/body-limit";
import { authenticate, authorize, defaultRules } from "./access/middleware.js";
import { ROUTE_RULES } from "./access/route-rules.js";
import { describeAccess } from "./access/openapi.js";
import { writeRateLimit } from "./access/rate-limit.js";
import { TokenVerifier } from "./access/verifier.js";
import { defaultConsoleDir, registerConsoleRoutes } from "./console.js";
import { registerDocsRoutes } from "./docs.js";
import { describeZodError, errorResponse, targetName, toErrorResponse } from "./errors.js";
import { type ApiDeps, type ApiEnv, type ApiOptions, DEFAULT_BODY_LIMIT_BYTES } from "./options.js";
import { registerArchiveRoutes } from "./routes/archive.js";
import { registerConsolidationRoutes } from "./routes/consolidation.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerHistoryRoutes } from "./routes/history.js";
import { registerJobChangesRoutes } from "./routes/job-changes.js";
import { registerMemoryChangesRoutes } from "./routes/memory-changes.js";
import { registerPlaybookRoutes } from "./routes/playbook.js";
import { registerProjectChangesRoutes } from "./routes/project-changes.js";
import { registerProjectRoutes } from "./routes/projects.js";
import { registerTokenRoutes } from "./routes/tokens.js";
import { registerReembedRoutes } from "./routes/reembed.js";
import { registerReviewRoutes } from "./routes/review.js";
import { registerScheduleRoutes } from "./routes/schedule.js";
import { SearchIndex } from "./services/search-index.js";

const DEFAULT_VERSION = "0.1.0";
const DESCRIPTION =
  "memcons consolidates the memories of AI coding agents. This API triggers and inspects consolidation jobs, " +
  "rolls them back, configures projects and ingests or searches memories. Every route under /api/v1 needs " +
  "`Authorization: Bearer <token>`: an admin token, or a stored token holding the scope the operation lists " +
  "(`x-memcons-scopes`) for the operation's project. Errors are `{\"error\": code, \"message\": text}`.";

function resolveDeps(options: ApiOptions, verifier: TokenVerifier): ApiDeps {
  return {
    db: options.db,
    logger: options.logger ?? noopLogger,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    defaultThreshold: options.defaultThreshold ?? 100,
    embedder: options.embedder ?? createHashingEmbedder(),
    version: options.version ?? DEFAULT_VERSION,
    sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
    stillValid: (principal) => verifier.stillValid(principal),
    shutdown: options.shutdown,
    schedule: options.schedule,
    consoleDir: options.consoleDir ?? defaultConsoleDir(),
    searchIndex: new SearchIndex({ maxVectors: options.searchCacheVectors }),
  };
}

/** A mount path as createApiApp uses it: `""` for the root, else `/segment[/segment…]` without a trailing slash. */
export function normalizeBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === "" || basePath === "/") return "";
  const trimmed = basePath.replace(/\/+$/, "");
  if (!/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(trimmed)) {
    throw new ValidationError(`Invalid basePath '${basePath}': expected a path such as /memcons`, [
      { path: "basePath", message: "must start with / and contain only URL path segments" },
    ]);
  }
  return trimmed;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Builds the memcons HTTP API: every route, /openapi.json, the /docs reference and the /ui console. */
export function createApiApp(options: ApiOptions): OpenAPIHono<ApiEnv> {
  const logger = options.logger ?? noopLogger;
  const verifier = new TokenVerifier(options.db, options.adminTokens, {
    logger,
    ...(options.tokenCacheMs === undefined ? {} : { cacheMs: options.tokenCacheMs }),
  });
  const deps = resolveDeps(options, verifier);
  const basePath = normalizeBasePath(options.basePath);
  const rules = defaultRules();
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return errorResponse(c, 400, "validation_error", describeZodError(result.error, targetName(result.target)));
      }
    },
  });

  app.onError((error, c) =>
    toErrorResponse(error, c, (unexpected) => {
      deps.logger.error({ err: unexpected, method: c.req.method, path: c.req.path }, "unhandled error in request");
    }),
  );
  if (deps.logger !== noopLogger) {
    app.use("*", async (c, next) => {
      const started = performance.now();
      await next();
      deps.logger.debug(
        {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          actor: c.get("actor"),
        },
        "request",
      );
    });
  }
  app.notFound((c) => errorResponse(c, 404, "not_found", `No route for ${c.req.method} ${c.req.path}`));

  app.use("/api/v1/*", authenticate(verifier, rules));
  if (options.writeRateLimit && options.writeRateLimit.limit > 0) {
    app.use("/api/v1/*", writeRateLimit(options.writeRateLimit));
  }
  // Only methods with a body: touching the body of a GET would make the Node adapter build a full Request.
  app.on(
    ["POST", "PUT", "PATCH"],
    "/api/v1/*",
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: (c) =>
        errorResponse(c, 413, "payload_too_large", `Request body exceeds the limit of ${deps.bodyLimitBytes} bytes`),
    }),
  );
  // JSON must be UTF-8 (RFC 8259): invalid bytes are refused, never stored as U+FFFD.
  app.on(["POST", "PUT", "PATCH"], "/api/v1/*", async (c, next) => {
    if (/json/i.test(c.req.header("content-type") ?? "")) {
      const bytes = await c.req.arrayBuffer();
      try {
        STRICT_UTF8.decode(bytes);
      } catch {
        return errorResponse(c, 400, "validation_error", "Invalid request body: not valid UTF-8");
      }
    }
    await next();
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An admin token from API_ADMIN_TOKENS, or a stored token (memcons tokens create)",
  });
  // After the body limit: finding a request's project may read its JSON body.
  app.use("/api/v1/*", authorize(deps.db, rules));
  registerHealthRoutes(app, deps);
  registerProjectRoutes(app, deps);
  registerArchiveRoutes(app, deps);
  registerMemoryChangesRoutes(app, deps);
  registerPlaybookRoutes(app, deps);
  registerProjectChangesRoutes(app, deps);
  registerConsolidationRoutes(app, deps);
  registerHistoryRoutes(app, deps);
  registerReviewRoutes(app, deps);
  registerReembedRoutes(app, deps);
  registerJobChangesRoutes(app, deps);
  registerScheduleRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerTokenRoutes(app, deps);

  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  const getDocument = () => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "memcons API",
        version: deps.version,
        description: DESCRIPTION,
        license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
      },
      servers: [{ url: basePath || "/", description: "This server" }],
      tags: [
        { name: "health", description: "Liveness and readiness (no authentication)" },
        { name: "consolidation", description: "Consolidation jobs: trigger, status, history, rollback, settings" },
        { name: "projects", description: "Projects" },
        { name: "memories", description: "Task memories: ingest, list, search" },
        { name: "tokens", description: "Stored API tokens (admin scope)" },
        { name: "review", description: "Review queue (proposals, judge verdicts) and dry-run plans" },
      ],
    });
    describeAccess(document, ROUTE_RULES);
    return document;
  };
  app.get("/openapi.json", (c) => c.json(getDocument()));
  registerDocsRoutes(app, basePath);
  registerConsoleRoutes(app, deps.consoleDir, basePath);
  return app;
}
