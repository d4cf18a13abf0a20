import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { changeToDict } from "@memcons/models";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses, uuidParam } from "../schemas/common.js";
import { ChangeSchema } from "../schemas/jobs.js";
import { MemoryChangesQuerySchema } from "../schemas/memories.js";
import { memoryChanges } from "../services/memory-changes.js";
import { assertProjectExists } from "../services/projects.js";

const MemoryChangesSchema = z
  .object({ memory_id: z.string(), changes: z.array(ChangeSchema) })
  .openapi("MemoryChanges");

const memoryChangesRoute = createRoute({
  method: "get",
  path: "/api/v1/projects/{id}/memories/{memory_id}/changes",
  operationId: "listMemoryChanges",
  tags: ["memories"],
  summary: "The audit trail of one memory, newest first: changes by jobs, their rollbacks and by hand",
  security: [{ bearerAuth: [] }],
  request: {
    params: uuidParam("id").extend(uuidParam("memory_id").shape),
    query: MemoryChangesQuerySchema,
  },
  responses: {
    200: { description: "The memory's newest changes", content: { "application/json": { schema: MemoryChangesSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

/** Registers the audit trail of one memory. */
export function registerMemoryChangesRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(memoryChangesRoute, async (c) => {
    const { id, memory_id: memoryId } = c.req.valid("param");
    const { limit } = c.req.valid("query");
    await assertProjectExists(deps.db, id);
    const changes = await memoryChanges(deps.db, id, memoryId, limit);
    return c.json({ memory_id: memoryId, changes: changes.map(changeToDict) }, 200);
  });
}
