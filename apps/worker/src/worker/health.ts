import { type Database, migrationStatus } from "@memcons/models";
import { Hono } from "hono";
import type { WorkerMetrics } from "./metrics.js";

/** What the health app needs to answer. */
export interface HealthAppOptions {
  db: Database;
  metrics?: WorkerMetrics;
  /** True once shutdown began: /readyz then answers 503 so load balancers stop routing. */
  isDraining?: () => boolean;
  /** A reason to report not ready (a recent driver fault, services not started yet), else null. */
  fault?: () => string | null;
}

/** The worker's HTTP surface: /healthz (process up), /readyz (database + migrations), /metrics. */
export function createHealthApp(o: HealthAppOptions): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (o.isDraining?.()) return c.json({ error: "not_ready", message: "shutting down" }, 503);
    const fault = o.fault?.();
    try {
      const status = await withTimeout(migrationStatus(o.db), READY_TIMEOUT_MS);
      if (!status.current) {
        return c.json(
          { error: "not_ready", message: `pending migrations: ${status.pending.join(", ")}` },
          503,
        );
      }
      if (fault) return c.json({ error: "not_ready", message: fault }, 503);
      return c.json({ status: "ready", migrations: "current" });
    } catch (error) {
      return c.json({ error: "not_ready", message: unreachable(error) }, 503);
    }
  });
  app.get("/metrics", async (c) => {
    if (!o.metrics) return c.json({ error: "not_found", message: "metrics are disabled" }, 404);
    const body = await o.metrics.render();
    return c.body(body, 200, { "content-type": o.metrics.registry.contentType });
  });
  app.notFound((c) => c.json({ error: "not_found", message: `No route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}

/** Longest a readiness check waits for the database. */
const READY_TIMEOUT_MS = 5_000;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error("timed out"), { code: "TIMEOUT" })), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** "database unreachable" with the error code when there is one; never the failed SQL text. */
function unreachable(error: unknown): string {
  for (let current: unknown = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z0-9_]+$/.test(code)) return `database unreachable (${code})`;
    current = (current as { cause?: unknown }).cause;
  }
  return "database unreachable";
}
