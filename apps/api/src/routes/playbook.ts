import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { playbookEntryToDict } from "@memcons/models";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses, uuidParam } from "../schemas/common.js";
import { ListPlaybookQuerySchema, PlaybookPageSchema } from "../schemas/playbook.js";
import { listPlaybook } from "../services/playbook.js";
import { assertProjectExists } from "../services/projects.js";

const listPlaybookRoute = createRoute({
  method: "get",
  path: "/api/v1/projects/{id}/playbook",
  operationId: "listPlaybook",
  tags: ["projects"],
  summary: "The project's playbook: knowledge promoted by consolidation jobs, newest first",
  security: [{ bearerAuth: [] }],
  request: { params: uuidParam("id"), query: ListPlaybookQuerySchema },
  responses: {
    200: { description: "A page of playbook entries", content: { "application/json": { schema: PlaybookPageSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

/** Registers the playbook listing. */
export function registerPlaybookRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(listPlaybookRoute, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    await assertProjectExists(deps.db, id);
    const page = await listPlaybook(deps.db, id, query);
    return c.json({ entries: page.entries.map(playbookEntryToDict), next_cursor: page.nextCursor }, 200);
  });
}
