import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type JobEvent, subscribeJobEvents } from "@memcons/scheduler";
import { streamSSE } from "hono/streaming";
import { canAccessProject } from "../access/principal.js";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses } from "../schemas/common.js";
import { EventsQuerySchema } from "../schemas/jobs.js";
import { assertProjectExists } from "../services/projects.js";

/** Writes queued beyond this mean the client stopped reading; the stream is then closed. */
const MAX_PENDING_WRITES = 1_000;
/** How often an open stream re-checks that its stored token was not revoked meanwhile. */
const TOKEN_RECHECK_MS = 500;

const eventsRoute = createRoute({
  method: "get",
  path: "/api/v1/consolidation/events",
  operationId: "streamJobEvents",
  tags: ["consolidation"],
  summary:
    "Server-sent events of job lifecycle changes (created, started, progress, completed, …) of the token's projects",
  security: [{ bearerAuth: [] }],
  request: { query: EventsQuerySchema },
  responses: {
    200: {
      description: "An event stream; each event's name is the event type and its data the JobEvent as JSON",
      content: { "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses(400, 401, 404),
  },
});

/** Registers the job events stream. */
export function registerEventRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(eventsRoute, async (c) => {
    const { project_id: projectId } = c.req.valid("query");
    if (projectId) await assertProjectExists(deps.db, projectId);
    const principal = c.get("principal");
    const signal = c.req.raw.signal;
    return streamSSE(c, async (stream) => {
      let chain: Promise<unknown> = Promise.resolve();
      let pending = 0;
      let finish = () => {};
      const done = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const send = (write: () => Promise<unknown>) => {
        if (stream.aborted || stream.closed) return;
        if (++pending > MAX_PENDING_WRITES) {
          deps.logger.warn({ project_id: projectId }, "event stream client is not reading; closing it");
          finish();
          return;
        }
        chain = chain
          .then(write)
          .catch((error: unknown) => {
            deps.logger.warn({ err: error }, "writing to an event stream failed; closing it");
            finish();
          })
          .finally(() => {
            pending -= 1;
          });
      };
      stream.onAbort(() => finish());
      signal.addEventListener("abort", () => finish(), { once: true });
      // Server shutdown: a final event tells the client to reconnect elsewhere, then the stream ends.
      const onShutdown = () => {
        const data = JSON.stringify({ type: "shutdown", at: new Date().toISOString(), message: "The server is shutting down; reconnect" });
        send(() => stream.writeSSE({ event: "shutdown", data }));
        chain.then(finish, finish);
      };
      if (deps.shutdown?.aborted) onShutdown();
      else deps.shutdown?.addEventListener("abort", onShutdown, { once: true });
      const unsubscribe = await subscribeJobEvents(deps.db, (event: JobEvent) => {
        if (projectId && event.project_id !== projectId) return;
        if (!canAccessProject(principal, event.project_id)) return;
        send(() => stream.writeSSE({ event: event.type, data: JSON.stringify(event) }));
      });
      const heartbeat = setInterval(() => send(() => stream.write(": heartbeat\n\n")), deps.sseHeartbeatMs);
      // A revoked or expired stored token loses its open streams too.
      const recheck =
        principal.kind === "stored"
          ? setInterval(() => {
              deps.stillValid(principal).then(
                (valid) => {
                  if (!valid) finish();
                },
                (error: unknown) => deps.logger.warn({ err: error }, "re-checking an event stream's token failed"),
              );
            }, TOKEN_RECHECK_MS)
          : undefined;
      try {
        send(() => stream.write(": subscribed\n\n"));
        if (!signal.aborted) await done;
      } finally {
        deps.shutdown?.removeEventListener("abort", onShutdown);
        clearInterval(heartbeat);
        clearInterval(recheck);
        await unsubscribe().catch((error: unknown) => {
          deps.logger.warn({ err: error }, "unsubscribing an event stream failed");
        });
      }
    }, async (error) => {
      deps.logger.error({ err: error }, "event stream failed");
    });
  });
}
