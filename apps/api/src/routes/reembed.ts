import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { REEMBED_JOB_KIND } from "@memcons/models";
import { triggerJob } from "@memcons/scheduler";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses, uuidParam } from "../schemas/common.js";
import { TriggerResultSchema } from "../schemas/jobs.js";
import { estimateCompletion } from "../services/jobs.js";

const ReembedSchema = z
  .object({
    all: z
      .boolean()
      .optional()
      .openapi({ description: "Re-embed every memory and playbook entry, not only those the configured embedder did not produce" }),
  })
  .strict()
  .openapi("TriggerReembed");

const reembedRoute = createRoute({
  method: "post",
  path: "/api/v1/projects/{id}/reembed",
  operationId: "triggerReembed",
  tags: ["consolidation"],
  summary: "Queue a job that re-embeds the project with the configured embedder (or return its active one)",
  security: [{ bearerAuth: [] }],
  request: {
    params: uuidParam("id"),
    body: { required: false, content: { "application/json": { schema: ReembedSchema } } },
  },
  responses: {
    202: {
      description: "Job accepted; Location points at its status",
      content: { "application/json": { schema: TriggerResultSchema } },
      headers: { Location: { description: "URL of the job status", schema: { type: "string" } } },
    },
    ...errorResponses(400, 401, 404, 413),
  },
});

/** Registers POST /api/v1/projects/{id}/reembed, which queues a `reembed` job. */
export function registerReembedRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(reembedRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") ?? {};
    const { job, created } = await triggerJob(deps.db, {
      projectId: id,
      kind: REEMBED_JOB_KIND,
      triggerType: "manual",
      options: body.all ? { all: true } : {},
      triggeredBy: c.get("actor") ?? "admin",
    });
    const eta = await estimateCompletion(deps.db, job);
    c.header("Location", `/api/v1/consolidation/status/${job.id}`);
    return c.json({ job_id: job.id, status: job.status, estimated_completion: eta.toISOString(), created }, 202);
  });
}
