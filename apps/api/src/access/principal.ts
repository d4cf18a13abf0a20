import { type ApiScope, ApiScope as Scopes } from "@memcons/models";

/** Who is calling: an admin token from the configuration, or a stored token. */
export interface Principal {
  /** What audit fields and logs record: `token:<name>` or `admin:<fingerprint>`; never the token. */
  readonly actor: string;
  /** `admin` for configured admin tokens, `stored` for tokens kept in the database. */
  readonly kind: "admin" | "stored";
  /** The stored token's name; null for configured admin tokens. */
  readonly tokenName: string | null;
  /** SHA-256 of the stored token (hex), to re-check it while a long request runs; null for admin tokens. */
  readonly tokenHash: string | null;
  readonly scopes: ReadonlySet<ApiScope>;
  /** Projects the token may touch; null means every project. */
  readonly projectIds: ReadonlySet<string> | null;
}

/** True when the principal holds `scope`, or `admin`, which grants every scope. */
export function hasScope(principal: Principal, scope: ApiScope): boolean {
  return principal.scopes.has(Scopes.Admin) || principal.scopes.has(scope);
}

/** True when the principal may touch the project. */
export function canAccessProject(principal: Principal, projectId: string): boolean {
  return principal.projectIds === null || principal.projectIds.has(projectId.toLowerCase());
}

/** The projects a listing may show: undefined for every project, else the allowed ids. */
export function visibleProjects(principal: Principal): string[] | undefined {
  return principal.projectIds === null ? undefined : [...principal.projectIds];
}
