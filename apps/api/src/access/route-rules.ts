import { type ApiScope, ApiScope as S } from "@memcons/models";

/**
 * Where a route finds the project a request is about, so that project-limited tokens can be checked.
 * - `none`: the route is not about one project (creating projects, managing tokens): project-limited tokens are refused.
 * - `listing`: the route lists several projects' data and itself shows only the token's projects.
 * - `path`: the project id is the path parameter `param`.
 * - `path-job`: the path parameter `param` is a job id; the project is the job's.
 * - `path-proposal`: the path parameter `param` is a review proposal id; the project is the proposal's.
 * - `body`: the project id is the JSON body's field `field`.
 * - `body-job`: the JSON body's field `field` is a job id; the project is the job's.
 * - `query`: the optional query parameter `param` names the project; without it the route filters like a listing.
 */
export type ProjectSource =
  | { kind: "none" }
  | { kind: "listing" }
  | { kind: "path"; param: string }
  | { kind: "path-job"; param: string }
  | { kind: "path-proposal"; param: string }
  | { kind: "body"; field: string }
  | { kind: "body-job"; field: string }
  | { kind: "query"; param: string };

/** What a route needs: any one of `scopes` (the admin scope always qualifies) and access to its project. */
export interface RouteRule {
  /** Any one of these scopes is enough; empty together with `public` for routes without authentication. */
  readonly scopes: readonly ApiScope[];
  readonly project: ProjectSource;
  /** True for the routes that need no token at all (health checks). */
  readonly public?: true;
}

const PUBLIC: RouteRule = { scopes: [], project: { kind: "none" }, public: true };
const ADMIN: RouteRule = { scopes: [S.Admin], project: { kind: "none" } };
const inProject = (param: string, ...scopes: ApiScope[]): RouteRule => ({ scopes, project: { kind: "path", param } });

/**
 * The access rule of every route in the OpenAPI document, keyed by `"<METHOD> <OpenAPI path>"`.
 * A route without a row here answers 403 to every token but an admin one, and fails the access tests.
 */
export const ROUTE_RULES: Readonly<Record<string, RouteRule>> = {
  "GET /healthz": PUBLIC,
  "GET /readyz": PUBLIC,

  "POST /api/v1/projects": { scopes: [S.ProjectsAdmin], project: { kind: "none" } },
  "GET /api/v1/projects": { scopes: [S.MemoriesRead, S.JobsRead, S.ProjectsAdmin], project: { kind: "listing" } },
  "GET /api/v1/projects/{id}": inProject("id", S.MemoriesRead, S.JobsRead, S.ProjectsAdmin),
  "POST /api/v1/projects/{id}/memories": inProject("id", S.MemoriesWrite),
  "GET /api/v1/projects/{id}/memories": inProject("id", S.MemoriesRead),
  "POST /api/v1/projects/{id}/memories/archive": inProject("id", S.MemoriesWrite),
  "POST /api/v1/projects/{id}/memories/unarchive": inProject("id", S.MemoriesWrite),
  "GET /api/v1/projects/{id}/memories/{memory_id}/changes": inProject("id", S.MemoriesRead),
  "GET /api/v1/projects/{id}/changes": inProject("id", S.MemoriesRead, S.JobsRead),
  "GET /api/v1/projects/{id}/playbook": inProject("id", S.MemoriesRead),
  "POST /api/v1/projects/{id}/reembed": inProject("id", S.JobsTrigger),

  "POST /api/v1/consolidation/trigger": { scopes: [S.JobsTrigger], project: { kind: "body", field: "project_id" } },
  "GET /api/v1/consolidation/status/{job_id}": { scopes: [S.JobsRead], project: { kind: "path-job", param: "job_id" } },
  "POST /api/v1/consolidation/jobs/{job_id}/cancel": {
    scopes: [S.JobsTrigger],
    project: { kind: "path-job", param: "job_id" },
  },
  "POST /api/v1/consolidation/rollback": {
    scopes: [S.JobsRollback],
    project: { kind: "body-job", field: "consolidation_id" },
  },
  "POST /api/v1/consolidation/configure/{project_id}": inProject("project_id", S.ProjectsAdmin),
  "GET /api/v1/consolidation/history/{project_id}": inProject("project_id", S.JobsRead),
  "GET /api/v1/consolidation/events": { scopes: [S.JobsRead], project: { kind: "query", param: "project_id" } },

  "GET /api/v1/consolidation/jobs/{job_id}/changes": {
    scopes: [S.JobsRead],
    project: { kind: "path-job", param: "job_id" },
  },
  // Not about a project: the sweep's schedule, readable by any token that may read jobs.
  "GET /api/v1/consolidation/schedule": { scopes: [S.JobsRead], project: { kind: "listing" } },

  "GET /api/v1/projects/{id}/proposals": inProject("id", S.JobsRead),
  "GET /api/v1/consolidation/proposals/{proposal_id}": {
    scopes: [S.JobsRead],
    project: { kind: "path-proposal", param: "proposal_id" },
  },
  "GET /api/v1/consolidation/proposals/{proposal_id}/members": {
    scopes: [S.JobsRead, S.MemoriesRead],
    project: { kind: "path-proposal", param: "proposal_id" },
  },
  "POST /api/v1/consolidation/proposals/{proposal_id}/approve": {
    scopes: [S.JobsTrigger],
    project: { kind: "path-proposal", param: "proposal_id" },
  },
  "POST /api/v1/consolidation/proposals/{proposal_id}/reject": {
    scopes: [S.JobsTrigger],
    project: { kind: "path-proposal", param: "proposal_id" },
  },
  "GET /api/v1/consolidation/plans/{job_id}": { scopes: [S.JobsRead], project: { kind: "path-job", param: "job_id" } },
  "POST /api/v1/consolidation/plans/{job_id}/apply": {
    scopes: [S.JobsTrigger],
    project: { kind: "path-job", param: "job_id" },
  },
  "POST /api/v1/consolidation/plans/{job_id}/discard": {
    scopes: [S.JobsTrigger],
    project: { kind: "path-job", param: "job_id" },
  },

  "POST /api/v1/tokens": ADMIN,
  "GET /api/v1/tokens": ADMIN,
  "POST /api/v1/tokens/{name}/revoke": ADMIN,
};

/** A rule with its path compiled for matching request paths. */
export interface CompiledRule {
  readonly key: string;
  readonly method: string;
  readonly rule: RouteRule;
  /** Path parameters of a request path, or null when the path is not this route's. */
  match(path: string): Record<string, string> | null;
}

/** Compiles the rule table; more specific paths (fewer parameters) are tried first. */
export function compileRules(rules: Readonly<Record<string, RouteRule>>): CompiledRule[] {
  const compiled = Object.entries(rules).map(([key, rule]) => {
    const [method = "", path = ""] = key.split(" ");
    const names: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    const regex = new RegExp(`^${source}/?$`);
    return {
      key,
      method: method.toUpperCase(),
      rule,
      params: names.length,
      match(requestPath: string): Record<string, string> | null {
        const found = regex.exec(requestPath);
        if (!found) return null;
        return Object.fromEntries(names.map((name, i) => [name, safeDecode(found[i + 1] ?? "")]));
      },
    };
  });
  return compiled.sort((a, b) => a.params - b.params).map(({ params: _, ...rule }) => rule);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
