import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { createApiToken, listApiTokens, revokeApiToken } from "../access/token-store.js";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses } from "../schemas/common.js";
import { CreatedTokenSchema, CreateTokenSchema, TokenInfoSchema, TokenNameParamSchema } from "../schemas/tokens.js";

const security = [{ bearerAuth: [] }];
const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const createTokenRoute = createRoute({
  method: "post",
  path: "/api/v1/tokens",
  operationId: "createToken",
  tags: ["tokens"],
  summary: "Create a stored API token; the answer is the only time the token is shown",
  security,
  request: { body: { required: true, content: { "application/json": { schema: CreateTokenSchema } } } },
  responses: { 201: json(CreatedTokenSchema, "The new token and its description"), ...errorResponses(400, 401, 409, 413) },
});

const listTokensRoute = createRoute({
  method: "get",
  path: "/api/v1/tokens",
  operationId: "listTokens",
  tags: ["tokens"],
  summary: "List stored API tokens (active, revoked and expired), oldest first, without their values",
  security,
  responses: {
    200: json(z.object({ tokens: z.array(TokenInfoSchema) }).openapi("TokenList"), "Every stored token"),
    ...errorResponses(401),
  },
});

const revokeTokenRoute = createRoute({
  method: "post",
  path: "/api/v1/tokens/{name}/revoke",
  operationId: "revokeToken",
  tags: ["tokens"],
  summary: "Revoke a stored API token: every API process refuses it within a second",
  security,
  request: { params: TokenNameParamSchema },
  responses: { 200: json(TokenInfoSchema, "The revoked token"), ...errorResponses(400, 401, 404) },
});

/** Registers the admin-only token management routes. */
export function registerTokenRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(createTokenRoute, async (c) => {
    const body = c.req.valid("json");
    const { token, info } = await createApiToken(deps.db, {
      name: body.name,
      scopes: body.scopes,
      projectIds: body.project_ids ?? null,
      expiresInDays: body.expires_in_days ?? null,
      createdBy: c.get("actor"),
    });
    deps.logger.info({ token_name: info.name, scopes: info.scopes, actor: c.get("actor") }, "API token created");
    return c.json({ ...info, token }, 201);
  });

  app.openapi(listTokensRoute, async (c) => c.json({ tokens: await listApiTokens(deps.db) }, 200));

  app.openapi(revokeTokenRoute, async (c) => {
    const { name } = c.req.valid("param");
    const info = await revokeApiToken(deps.db, name);
    deps.logger.info({ token_name: name, actor: c.get("actor") }, "API token revoked");
    return c.json(info, 200);
  });
}
