import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { archiveMemories, unarchiveMemories } from "@memcons/consolidation-core";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses, uuidParam } from "../schemas/common.js";
import { ArchiveRequestSchema, ArchiveResultSchema, UnarchiveResultSchema } from "../schemas/memories.js";
import { partitionProjectMemories } from "../services/memories.js";
import { assertProjectExists } from "../services/projects.js";

const security = [{ bearerAuth: [] }];
const body = { required: true, content: { "application/json": { schema: ArchiveRequestSchema } } };

const archiveRoute = createRoute({
  method: "post",
  path: "/api/v1/projects/{id}/memories/archive",
  operationId: "archiveMemories",
  tags: ["memories"],
  summary: "Archive memories by hand (reason manual): they leave default listings and searches",
  security,
  request: { params: uuidParam("id"), body },
  responses: {
    200: { description: "What was archived", content: { "application/json": { schema: ArchiveResultSchema } } },
    ...errorResponses(400, 401, 404, 413),
  },
});

const unarchiveRoute = createRoute({
  method: "post",
  path: "/api/v1/projects/{id}/memories/unarchive",
  operationId: "unarchiveMemories",
  tags: ["memories"],
  summary: "Bring archived memories back into default listings and searches",
  security,
  request: { params: uuidParam("id"), body },
  responses: {
    200: { description: "What was brought back", content: { "application/json": { schema: UnarchiveResultSchema } } },
    ...errorResponses(400, 401, 404, 413),
  },
});

/** Registers manual archive and unarchive of a project's memories. */
export function registerArchiveRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(archiveRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { memory_ids: memoryIds, reason } = c.req.valid("json");
    await assertProjectExists(deps.db, id);
    const { found, notFound } = await partitionProjectMemories(deps.db, id, memoryIds);
    const { archived } = await archiveMemories(deps.db, found, {
      actor: c.get("actor") ?? "admin",
      ...(reason === undefined ? {} : { reason }),
    });
    deps.logger.info({ project_id: id, archived, actor: c.get("actor"), reason }, "memories archived by hand");
    return c.json({ archived, not_found: notFound }, 200);
  });

  app.openapi(unarchiveRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { memory_ids: memoryIds, reason } = c.req.valid("json");
    await assertProjectExists(deps.db, id);
    const { found, notFound } = await partitionProjectMemories(deps.db, id, memoryIds);
    const { unarchived } = await unarchiveMemories(deps.db, found, {
      actor: c.get("actor") ?? "admin",
      ...(reason === undefined ? {} : { reason }),
    });
    deps.logger.info({ project_id: id, unarchived, actor: c.get("actor"), reason }, "memories unarchived by hand");
    return c.json({ unarchived, not_found: notFound }, 200);
  });
}
