import { createHash, randomBytes } from "node:crypto";
import {
  API_SCOPES,
  type ApiScope,
  ApiScope as Scopes,
  type ApiToken,
  apiTokens,
  type Database,
  projects,
  ValidationError,
  isUuid,
} from "@memcons/models";
import { asc, eq, inArray, isNull, and } from "drizzle-orm";
import { TokenNameTakenError, TokenNotFoundError } from "./errors.js";

/** Every generated token starts with this, so leaked tokens are easy to recognise and search for. */
export const TOKEN_PREFIX = "mcs_";
/** Allowed token names: letters, digits and `.`, `_`, `:`, `-`, at most 64 characters. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** Longest lifetime a token can be given at creation. */
export const MAX_TOKEN_DAYS = 3650;

const DAY_MS = 86_400_000;

/** A stored token as shown to operators: never its value nor its hash. */
export interface ApiTokenInfo {
  name: string;
  scopes: ApiScope[];
  /** Projects the token may touch; null for every project. */
  project_ids: string[] | null;
  status: "active" | "revoked" | "expired";
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/** What createApiToken needs. */
export interface CreateApiTokenInput {
  name: string;
  scopes: readonly string[];
  /** Limit the token to these projects; omitted, null or empty for every project. */
  projectIds?: readonly string[] | null;
  /** Days until the token expires (1..3650); omitted or null for never. */
  expiresInDays?: number | null;
  /** Who created it (recorded as created_by). */
  createdBy: string;
}

/** A freshly created token: `token` is shown this once and is not stored anywhere. */
export interface CreatedApiToken {
  token: string;
  info: ApiTokenInfo;
}

/** A new random token: the prefix and 32 random bytes in base64url. */
export function generateApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** SHA-256 of a token in hex: the only form in which stored tokens are kept. */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Serializes a stored token for operators (no value, no hash). */
export function apiTokenToDict(row: ApiToken, now: Date = new Date()): ApiTokenInfo {
  const status = row.revokedAt ? "revoked" : row.expiresAt && row.expiresAt <= now ? "expired" : "active";
  return {
    name: row.name,
    scopes: [...row.scopes],
    project_ids: row.projectIds ? [...row.projectIds] : null,
    status,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

/** Checks a creation request and returns its normalised scopes and projects; throws ValidationError. */
function validateInput(input: CreateApiTokenInput): { scopes: ApiScope[]; projectIds: string[] | null } {
  const issues: Array<{ path: string; message: string }> = [];
  if (!TOKEN_NAME_PATTERN.test(input.name)) {
    issues.push({
      path: "name",
      message: "must be 1..64 characters: letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
    });
  }
  const unknown = input.scopes.filter((scope) => !(API_SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) {
    issues.push({ path: "scopes", message: `unknown scope(s) ${unknown.join(", ")}; known: ${API_SCOPES.join(", ")}` });
  }
  if (input.scopes.length === 0) issues.push({ path: "scopes", message: "give at least one scope" });
  const projectIds = input.projectIds && input.projectIds.length > 0 ? [...new Set(input.projectIds.map((id) => id.toLowerCase()))] : null;
  const badIds = (projectIds ?? []).filter((id) => !isUuid(id));
  if (badIds.length > 0) issues.push({ path: "project_ids", message: `not UUIDs: ${badIds.join(", ")}` });
  if (projectIds && input.scopes.includes(Scopes.Admin)) {
    issues.push({ path: "scopes", message: "the admin scope covers every project and cannot be limited to projects" });
  }
  const days = input.expiresInDays;
  if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)) {
    issues.push({ path: "expires_in_days", message: `must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}` });
  }
  if (issues.length > 0) {
    throw new ValidationError(`Invalid token: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  }
  return { scopes: [...new Set(input.scopes as ApiScope[])], projectIds };
}

/** Creates a stored token and returns it once, with its description; only its hash is saved. */
export async function createApiToken(db: Database, input: CreateApiTokenInput): Promise<CreatedApiToken> {
  const { scopes, projectIds } = validateInput(input);
  if (projectIds) {
    const found = await db.orm.select({ id: projects.id }).from(projects).where(inArray(projects.id, projectIds));
    const known = new Set(found.map((row) => row.id.toLowerCase()));
    const missing = projectIds.filter((id) => !known.has(id));
    if (missing.length > 0) {
      throw new ValidationError(`Invalid token: project_ids: no such project ${missing.join(", ")}`, [
        { path: "project_ids", message: `no such project ${missing.join(", ")}` },
      ]);
    }
  }
  const token = generateApiToken();
  const days = input.expiresInDays ?? null;
  const [row] = await db.orm
    .insert(apiTokens)
    .values({
      name: input.name,
      tokenHash: hashApiToken(token),
      scopes,
      projectIds,
      createdBy: input.createdBy,
      expiresAt: days === null ? null : new Date(Date.now() + days * DAY_MS),
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new TokenNameTakenError(input.name);
  return { token, info: apiTokenToDict(row) };
}

/** Every stored token (active, revoked and expired), oldest first. */
export async function listApiTokens(db: Database): Promise<ApiTokenInfo[]> {
  const rows = await db.orm.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.name));
  const now = new Date();
  return rows.map((row) => apiTokenToDict(row, now));
}

/** Revokes a stored token by name (a no-op if it already is); every API process refuses it within a second. */
export async function revokeApiToken(db: Database, name: string): Promise<ApiTokenInfo> {
  const [updated] = await db.orm
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.name, name), isNull(apiTokens.revokedAt)))
    .returning();
  if (updated) return apiTokenToDict(updated);
  const [existing] = await db.orm.select().from(apiTokens).where(eq(apiTokens.name, name)).limit(1);
  if (!existing) throw new TokenNotFoundError(name);
  return apiTokenToDict(existing);
}

/** The stored token with this hash, if any. */
export async function findApiTokenByHash(db: Database, tokenHash: string): Promise<ApiToken | undefined> {
  const [row] = await db.orm.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).limit(1);
  return row;
}

/** Records that a token was used (best effort). */
export async function touchApiToken(db: Database, id: string, at: Date): Promise<void> {
  await db.orm.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
}
