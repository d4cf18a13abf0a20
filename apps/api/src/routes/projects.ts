import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { checkThresholdTrigger } from "@memcons/scheduler";
import { memoryToDict, projectToDict } from "@memcons/models";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses, uuidParam } from "../schemas/common.js";
import {
  IngestResultSchema,
  IngestSchema,
  ListMemoriesQuerySchema,
  MemoryPageSchema,
} from "../schemas/memories.js";
import { CreateProjectSchema, ListProjectsQuerySchema, ProjectDetailSchema, ProjectSchema } from "../schemas/projects.js";
import { ingestMemories, type ListedMemory, listMemories } from "../services/memories.js";
import { assertProjectExists, createProject, getProject, listProjects, memoryCounts } from "../services/projects.js";

const security = [{ bearerAuth: [] }];
const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const createProjectRoute = createRoute({
  method: "post",
  path: "/api/v1/projects",
  operationId: "createProject",
  tags: ["projects"],
  summary: "Create a project",
  security,
  request: { body: { required: true, content: { "application/json": { schema: CreateProjectSchema } } } },
  responses: { 201: json(ProjectSchema, "The created project"), ...errorResponses(400, 401, 413) },
});

const listProjectsRoute = createRoute({
  method: "get",
  path: "/api/v1/projects",
  operationId: "listProjects",
  tags: ["projects"],
  summary: "List projects, newest first",
  security,
  request: { query: ListProjectsQuerySchema },
  responses: {
    200: json(
      z.object({ projects: z.array(ProjectSchema), next_cursor: z.string().nullable() }).openapi("ProjectPage"),
      "A page of projects",
    ),
    ...errorResponses(400, 401),
  },
});

const getProjectRoute = createRoute({
  method: "get",
  path: "/api/v1/projects/{id}",
  operationId: "getProject",
  tags: ["projects"],
  summary: "Get a project with its memory counts",
  security,
  request: { params: uuidParam("id") },
  responses: { 200: json(ProjectDetailSchema, "The project"), ...errorResponses(400, 401, 404) },
});

const ingestRoute = createRoute({
  method: "post",
  path: "/api/v1/projects/{id}/memories",
  operationId: "ingestMemories",
  tags: ["memories"],
  summary: "Bulk-ingest up to 1,000 memories, then run the threshold check",
  security,
  request: {
    params: uuidParam("id"),
    body: { required: true, content: { "application/json": { schema: IngestSchema } } },
  },
  responses: { 201: json(IngestResultSchema, "Ids of the created memories"), ...errorResponses(400, 401, 404, 413) },
});

const listMemoriesRoute = createRoute({
  method: "get",
  path: "/api/v1/projects/{id}/memories",
  operationId: "listMemories",
  tags: ["memories"],
  summary: "List memories (newest first) or search them by similarity with q",
  security,
  request: { params: uuidParam("id"), query: ListMemoriesQuerySchema },
  responses: { 200: json(MemoryPageSchema, "A page of memories"), ...errorResponses(400, 401, 404) },
});

function memoryBody(memory: ListedMemory) {
  const dict = memoryToDict(memory);
  return memory.similarity === undefined ? dict : { ...dict, similarity: memory.similarity };
}

/** Registers the project and memory routes. */
export function registerProjectRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(createProjectRoute, async (c) => {
    const project = await createProject(deps.db, c.req.valid("json"));
    c.header("Location", `/api/v1/projects/${project.id}`);
    return c.json(projectToDict(project), 201);
  });

  app.openapi(listProjectsRoute, async (c) => {
    const query = c.req.valid("query");
    const page = await listProjects(deps.db, query);
    return c.json({ projects: page.projects.map(projectToDict), next_cursor: page.nextCursor }, 200);
  });

  app.openapi(getProjectRoute, async (c) => {
    const { id } = c.req.valid("param");
    const [project, counts] = await Promise.all([getProject(deps.db, id), memoryCounts(deps.db, id)]);
    return c.json({ ...projectToDict(project), memory_counts: counts }, 200);
  });

  app.openapi(ingestRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { memories } = c.req.valid("json");
    await assertProjectExists(deps.db, id);
    const ids = await ingestMemories(deps.db, deps.embedder, id, memories);
    // The threshold check must never delay or fail the write: run it after answering.
    void checkThresholdTrigger(deps.db, id, { defaultThreshold: deps.defaultThreshold }).catch((error: unknown) => {
      deps.logger.error({ err: error, project_id: id }, "threshold check after ingest failed");
    });
    return c.json({ ids, count: ids.length }, 201);
  });

  app.openapi(listMemoriesRoute, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    await assertProjectExists(deps.db, id);
    const page = await listMemories(deps.db, deps.embedder, deps.searchIndex, id, {
      q: query.q,
      memoryType: query.memory_type,
      includeArchived: query.include_archived,
      includeDuplicates: query.include_duplicates,
      limit: query.limit,
      cursor: query.cursor,
    });
    return c.json({ memories: page.memories.map(memoryBody), next_cursor: page.nextCursor }, 200);
  });
}
