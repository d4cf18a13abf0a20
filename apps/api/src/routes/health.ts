import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { migrationStatus } from "@memcons/models";
import { errorResponses } from "../schemas/common.js";
import type { ApiDeps, ApiEnv } from "../options.js";

const READY_TIMEOUT_MS = 5_000;

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "getHealth",
  tags: ["health"],
  security: [],
  summary: "Liveness: the process is up",
  responses: {
    200: {
      description: "Process is up",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
  },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  operationId: "getReadiness",
  tags: ["health"],
  security: [],
  summary: "Readiness: the database answers and its migrations are current",
  responses: {
    200: {
      description: "Ready",
      content: {
        "application/json": {
          schema: z.object({ status: z.literal("ready"), migrations: z.literal("current") }),
        },
      },
    },
    ...errorResponses(503),
  },
});

/** Registers /healthz and /readyz (no authentication). */
export function registerHealthRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(readyz, async (c) => {
    try {
      const status = await withTimeout(migrationStatus(deps.db), READY_TIMEOUT_MS);
      if (status.current) return c.json({ status: "ready" as const, migrations: "current" as const }, 200);
      return c.json(
        { error: "not_ready", message: `Pending migrations: ${status.pending.join(", ")}` },
        503,
      );
    } catch (error) {
      deps.logger.warn({ err: error }, "readiness check failed");
      return c.json({ error: "not_ready", message: "Database unreachable" }, 503);
    }
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
