import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { changeToDict } from "@memcons/models";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses, uuidParam } from "../schemas/common.js";
import { ChangeSchema, ProjectChangesQuerySchema } from "../schemas/jobs.js";
import { projectChanges } from "../services/project-changes.js";
import { assertProjectExists } from "../services/projects.js";

const ChangePageSchema = z
  .object({ changes: z.array(ChangeSchema), next_cursor: z.string().nullable() })
  .openapi("ChangePage");

const projectChangesRoute = createRoute({
  method: "get",
  path: "/api/v1/projects/{id}/changes",
  operationId: "listProjectChanges",
  tags: ["projects"],
  summary: "The project's audit log, newest first: changes by its jobs, their rollbacks and by hand",
  security: [{ bearerAuth: [] }],
  request: { params: uuidParam("id"), query: ProjectChangesQuerySchema },
  responses: {
    200: { description: "A page of audit rows", content: { "application/json": { schema: ChangePageSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

/** Registers a project's audit log. */
export function registerProjectChangesRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(projectChangesRoute, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    await assertProjectExists(deps.db, id);
    const page = await projectChanges(deps.db, id, query);
    return c.json({ changes: page.changes.map(changeToDict), next_cursor: page.nextCursor }, 200);
  });
}
