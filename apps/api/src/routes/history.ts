import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses, uuidParam } from "../schemas/common.js";
import { HistoryPageSchema, HistoryQuerySchema } from "../schemas/jobs.js";
import { jobHistory } from "../services/history.js";
import { assertProjectExists } from "../services/projects.js";

const historyRoute = createRoute({
  method: "get",
  path: "/api/v1/consolidation/history/{project_id}",
  operationId: "getJobHistory",
  tags: ["consolidation"],
  summary: "A project's jobs, newest first, with before/after memory counts and their changes",
  security: [{ bearerAuth: [] }],
  request: { params: uuidParam("project_id"), query: HistoryQuerySchema },
  responses: {
    200: { description: "A page of jobs", content: { "application/json": { schema: HistoryPageSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

/** Registers the job history route. */
export function registerHistoryRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(historyRoute, async (c) => {
    const { project_id } = c.req.valid("param");
    const query = c.req.valid("query");
    await assertProjectExists(deps.db, project_id);
    const page = await jobHistory(deps.db, project_id, query);
    return c.json({ jobs: page.jobs, next_cursor: page.nextCursor }, 200);
  });
}
