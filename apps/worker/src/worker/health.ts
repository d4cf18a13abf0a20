import { type Database, migrationStatus } from "@memcons/models";
import { Hono } from "hono";
import type { WorkerMetrics } from "./metrics.js";

/** What the health app needs to answer. */
export interface HealthAppOptions {
  db: Database;
  metrics?: WorkerMetrics;
  /** True once shutdown began: /readyz then answers 503 so load balancers stop routing. */
  isDraining?: () => boolean;
}

/** The worker's HTTP surface: /healthz (process up), /readyz (database + migrations), /metrics. */
export function createHealthApp(o: HealthAppOptions): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (o.isDraining?.()) return c.json({ error: "not_ready", message: "shutting down" }, 503);
    try {
      const status = await migrationStatus(o.db);
      if (!status.current) {
        return c.json(
          { error: "not_ready", message: `pending migrations: ${status.pending.join(", ")}` },
          503,
        );
      }
      return c.json({ status: "ready", migrations: "current" });
    } catch (error) {
      return c.json({ error: "not_ready", message: `database unreachable: ${messageOf(error)}` }, 503);
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
