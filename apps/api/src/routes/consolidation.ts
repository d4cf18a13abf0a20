import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import { RollbackConflictError, rollbackJob } from "@memcons/consolidation-core";
import { projectToDict } from "@memcons/models";
import { cancelJob, triggerConsolidation } from "@memcons/scheduler";
import type { TypedResponse } from "hono";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses, uuidParam } from "../schemas/common.js";
import {
  JobStatusSchema,
  RollbackConflictErrorSchema,
  RollbackResultSchema,
  RollbackSchema,
  TriggerResultSchema,
  TriggerSchema,
} from "../schemas/jobs.js";
import { ConfigureSchema, ProjectSchema } from "../schemas/projects.js";
import { estimateCompletion } from "../services/jobs.js";
import { configureProject } from "../services/projects.js";
import { StatusReader } from "../services/status-reader.js";

const security = [{ bearerAuth: [] }];
const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const triggerRoute = createRoute({
  method: "post",
  path: "/api/v1/consolidation/trigger",
  operationId: "triggerConsolidation",
  tags: ["consolidation"],
  summary: "Start a manual consolidation (or return the project's active job)",
  security,
  request: { body: { required: true, content: { "application/json": { schema: TriggerSchema } } } },
  responses: {
    202: {
      ...json(TriggerResultSchema, "Job accepted; Location points at its status"),
      headers: { Location: { description: "URL of the job status", schema: { type: "string" } } },
    },
    ...errorResponses(400, 401, 404, 413),
  },
});

const statusRoute = createRoute({
  method: "get",
  path: "/api/v1/consolidation/status/{job_id}",
  operationId: "getJobStatus",
  tags: ["consolidation"],
  summary: "Status of a consolidation job",
  security,
  request: { params: uuidParam("job_id") },
  responses: { 200: json(JobStatusSchema, "The job's status"), ...errorResponses(400, 401, 404) },
});

const cancelRoute = createRoute({
  method: "post",
  path: "/api/v1/consolidation/jobs/{job_id}/cancel",
  operationId: "cancelJob",
  tags: ["consolidation"],
  summary: "Cancel a pending job, or ask a running one to stop",
  security,
  request: { params: uuidParam("job_id") },
  responses: { 200: json(JobStatusSchema, "The job's status after the request"), ...errorResponses(400, 401, 404, 409) },
});

const rollbackRoute = createRoute({
  method: "post",
  path: "/api/v1/consolidation/rollback",
  operationId: "rollbackJob",
  tags: ["consolidation"],
  summary: "Undo every change a job made (within 7 days)",
  security,
  request: { body: { required: true, content: { "application/json": { schema: RollbackSchema } } } },
  responses: {
    200: json(RollbackResultSchema, "The job was rolled back"),
    ...errorResponses(400, 401, 404, 413, 422),
    409: json(
      RollbackConflictErrorSchema,
      "Memories changed after the job (`conflicts` lists them and what changed; retry with force), the job is not finished or was rolled back (conflict), or audit rows are missing (audit_incomplete)",
    ),
  },
});

const configureRoute = createRoute({
  method: "post",
  path: "/api/v1/consolidation/configure/{project_id}",
  operationId: "configureConsolidation",
  tags: ["consolidation"],
  summary: "Change a project's consolidation settings",
  security,
  request: {
    params: uuidParam("project_id"),
    body: { required: true, content: { "application/json": { schema: ConfigureSchema } } },
  },
  responses: { 200: json(ProjectSchema, "The updated project"), ...errorResponses(400, 401, 404, 413) },
});

const JSON_HEADERS = { "content-type": "application/json" } as const;

/** A 200 answer carrying status JSON that was serialized once for every request sharing it. */
function statusResponse(json: string): TypedResponse<z.output<typeof JobStatusSchema>, 200, "json"> {
  return new Response(json, { status: 200, headers: JSON_HEADERS }) as unknown as TypedResponse<
    z.output<typeof JobStatusSchema>,
    200,
    "json"
  >;
}

/** Registers trigger, status, cancel, rollback and configure. */
export function registerConsolidationRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const statuses = new StatusReader(deps.db);
  app.openapi(triggerRoute, async (c) => {
    const body = c.req.valid("json");
    const { job, created } = await triggerConsolidation(deps.db, {
      projectId: body.project_id,
      triggerType: "manual",
      options: body.dry_run === undefined ? body.options : { ...body.options, dry_run: body.dry_run },
      triggeredBy: c.get("actor") ?? "admin",
    });
    const eta = await estimateCompletion(deps.db, job);
    c.header("Location", `/api/v1/consolidation/status/${job.id}`);
    return c.json(
      { job_id: job.id, status: job.status, estimated_completion: eta.toISOString(), created },
      202,
    );
  });

  app.openapi(statusRoute, async (c) => {
    const { job_id } = c.req.valid("param");
    return statusResponse(await statuses.read(job_id));
  });

  app.openapi(cancelRoute, async (c) => {
    const { job_id } = c.req.valid("param");
    await cancelJob(deps.db, job_id);
    statuses.invalidate(job_id);
    return statusResponse(await statuses.read(job_id));
  });

  app.openapi(rollbackRoute, async (c) => {
    const body = c.req.valid("json");
    try {
      const result = await rollbackJob(deps.db, body.consolidation_id, {
        actor: c.get("actor") ?? "admin",
        force: body.force === true,
        ...(body.reason === undefined ? {} : { reason: body.reason }),
      });
      statuses.invalidate(body.consolidation_id);
      return c.json({ success: true, ...result }, 200);
    } catch (error) {
      if (!(error instanceof RollbackConflictError)) throw error;
      return c.json({ error: "conflict" as const, message: error.message, conflicts: [...error.conflicts] }, 409);
    }
  });

  app.openapi(configureRoute, async (c) => {
    const { project_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const project = await configureProject(deps.db, project_id, body);
    return c.json(projectToDict(project), 200);
  });
}
