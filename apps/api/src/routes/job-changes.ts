import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { changeToDict } from "@memcons/models";
import type { ApiDeps, ApiEnv } from "../options.js";
import { CursorSchema, errorResponses, uuidParam } from "../schemas/common.js";
import { ChangeSchema } from "../schemas/jobs.js";
import { jobChanges } from "../services/job-changes.js";

/** Largest page of a job's changes (a console groups a whole job's clusters from a few pages). */
export const MAX_JOB_CHANGES_PAGE = 500;

const JobChangesQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_JOB_CHANGES_PAGE)
    .default(100)
    .openapi({ type: "integer", minimum: 1, maximum: MAX_JOB_CHANGES_PAGE, default: 100 }),
  cursor: CursorSchema.optional(),
});

const JobChangePageSchema = z
  .object({
    job_id: z.string(),
    project_id: z.string(),
    changes: z.array(ChangeSchema),
    next_cursor: z.string().nullable(),
  })
  .openapi("JobChangePage");

const jobChangesRoute = createRoute({
  method: "get",
  path: "/api/v1/consolidation/jobs/{job_id}/changes",
  operationId: "listJobChanges",
  tags: ["consolidation"],
  summary: "Every audit row of one job (and of its rollback), newest first, with full before and after states",
  security: [{ bearerAuth: [] }],
  request: { params: uuidParam("job_id"), query: JobChangesQuerySchema },
  responses: {
    200: { description: "A page of the job's changes", content: { "application/json": { schema: JobChangePageSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

/** Registers the listing of one job's changes. */
export function registerJobChangesRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(jobChangesRoute, async (c) => {
    const { job_id: jobId } = c.req.valid("param");
    const query = c.req.valid("query");
    const page = await jobChanges(deps.db, jobId, query);
    return c.json(
      { job_id: jobId, project_id: page.projectId, changes: page.changes.map(changeToDict), next_cursor: page.nextCursor },
      200,
    );
  });
}
