import { z } from "@hono/zod-openapi";
import { API_SCOPES } from "@memcons/models";
import { MAX_TOKEN_DAYS, TOKEN_NAME_PATTERN } from "../access/token-store.js";
import { UuidSchema } from "./common.js";

const TokenNameSchema = z
  .string()
  .regex(TOKEN_NAME_PATTERN, "must be 1..64 characters: letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
  .openapi({ example: "agent-payments-1" });

/** Body of POST /api/v1/tokens. */
export const CreateTokenSchema = z
  .object({
    name: TokenNameSchema,
    scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length).openapi({ example: ["memories:read", "memories:write"] }),
    project_ids: z
      .array(UuidSchema)
      .max(1000)
      .nullable()
      .optional()
      .openapi({ description: "Limit the token to these projects; omitted, null or empty for every project" }),
    expires_in_days: z.number().int().min(1).max(MAX_TOKEN_DAYS).nullable().optional(),
  })
  .strict()
  .openapi("CreateToken");

/** A stored token as operators see it: never its value. */
export const TokenInfoSchema = z
  .object({
    name: z.string(),
    scopes: z.array(z.enum(API_SCOPES)),
    project_ids: z.array(z.string()).nullable(),
    status: z.enum(["active", "revoked", "expired"]),
    created_by: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi("TokenInfo");

/** Answer of POST /api/v1/tokens: the only time the token itself is shown. */
export const CreatedTokenSchema = TokenInfoSchema.extend({
  token: z.string().openapi({ description: "The bearer token; shown once, store it now" }),
}).openapi("CreatedToken");

/** Path parameter of the revoke route. */
export const TokenNameParamSchema = z.object({
  name: TokenNameSchema.openapi({ param: { name: "name", in: "path" } }),
});
