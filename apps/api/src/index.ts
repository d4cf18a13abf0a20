export { createApiApp } from "./app.js";
export { tokenFingerprint } from "./auth.js";
export { type ErrorBody, statusForCode } from "./errors.js";
export { type ApiEnv, type ApiOptions, DEFAULT_BODY_LIMIT_BYTES } from "./options.js";
export { type ApiServer, startApiServer } from "./server.js";
