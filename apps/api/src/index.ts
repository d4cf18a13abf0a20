export { createApiApp } from "./app.js";
export { ForbiddenError, TokenNameTakenError, TokenNotFoundError, UnauthorizedError } from "./access/errors.js";
export { canAccessProject, hasScope, type Principal, visibleProjects } from "./access/principal.js";
export type { WriteRateLimit } from "./access/rate-limit.js";
export { type CompiledRule, compileRules, type ProjectSource, ROUTE_RULES, type RouteRule } from "./access/route-rules.js";
export {
  type ApiTokenInfo,
  apiTokenToDict,
  type CreateApiTokenInput,
  type CreatedApiToken,
  createApiToken,
  generateApiToken,
  hashApiToken,
  listApiTokens,
  MAX_TOKEN_DAYS,
  revokeApiToken,
  TOKEN_NAME_PATTERN,
  TOKEN_PREFIX,
} from "./access/token-store.js";
export { tokenFingerprint } from "./access/verifier.js";
export { type ErrorBody, statusForCode } from "./errors.js";
export { type ApiEnv, type ApiOptions, DEFAULT_BODY_LIMIT_BYTES } from "./options.js";
export { type ApiServer, startApiServer } from "./server.js";
