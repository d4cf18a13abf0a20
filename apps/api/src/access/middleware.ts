import { consolidationJobs,
  consolidationProposals, type Database,
  isUuid,
} from "@memcons/models";
import { eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { errorResponse } from "../errors.js";
import type { ApiEnv } from "../options.js";
import { canAccessProject, hasScope, type Principal } from "./principal.js";
import { type CompiledRule, compileRules, type RouteRule, ROUTE_RULES } from "./route-rules.js";
import type { TokenVerifier } from "./verifier.js";
import { UnauthorizedError } from "./errors.js";

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** Middleware that turns `Authorization: Bearer <token>` into the request's principal, or answers 401. */
export function authenticate(verifier: TokenVerifier, rules: readonly CompiledRule[]): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (findRule(rules, c.req.method, c.req.path)?.rule.public) return next();
    const match = BEARER.exec(c.req.header("authorization") ?? "");
    if (!match?.[1]) {
      return errorResponse(c, 401, "unauthorized", "Missing bearer token: send Authorization: Bearer <token>");
    }
    let principal: Principal;
    try {
      principal = await verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof UnauthorizedError) return errorResponse(c, 401, "unauthorized", error.message);
      throw error;
    }
    c.set("principal", principal);
    c.set("actor", principal.actor);
    await next();
  };
}

/** Middleware enforcing the route's rule: its scope, then its project; answers 403 `forbidden` otherwise. */
export function authorize(db: Database, rules: readonly CompiledRule[]): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const found = findRule(rules, c.req.method, c.req.path);
    if (found?.rule.public) return next();
    const principal = c.get("principal");
    const denial = await deny(db, c, principal, found);
    if (denial) return errorResponse(c, 403, "forbidden", denial);
    await next();
  };
}

/** The compiled rules of ROUTE_RULES. */
export function defaultRules(): CompiledRule[] {
  return compileRules(ROUTE_RULES);
}

/** The rule matching a request, with its path parameters. */
export function findRule(
  rules: readonly CompiledRule[],
  method: string,
  path: string,
): { rule: RouteRule; key: string; params: Record<string, string> } | undefined {
  const wanted = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
  for (const compiled of rules) {
    if (compiled.method !== wanted) continue;
    const params = compiled.match(path);
    if (params) return { rule: compiled.rule, key: compiled.key, params };
  }
  return undefined;
}

/** Why the principal may not make this request, or undefined when it may. */
async function deny(
  db: Database,
  c: Context<ApiEnv>,
  principal: Principal,
  found: { rule: RouteRule; key: string; params: Record<string, string> } | undefined,
): Promise<string | undefined> {
  const route = `${c.req.method} ${c.req.path}`;
  if (!found) {
    // A route without a rule is open to admin tokens only (and unknown paths then answer 404).
    return hasScope(principal, "admin") ? undefined : `${route} is only open to admin tokens`;
  }
  const { rule, params } = found;
  if (!rule.scopes.some((scope) => hasScope(principal, scope))) {
    const needed = rule.scopes.length === 1 ? `the scope ${rule.scopes[0]}` : `one of the scopes ${rule.scopes.join(", ")}`;
    return `${route} needs ${needed}; this token has ${[...principal.scopes].join(", ")}`;
  }
  if (principal.projectIds === null) return undefined;
  const projectId = await projectOf(db, c, rule, params);
  if (projectId === "none") return `${route} is only open to tokens valid for every project; this token is limited to projects`;
  if (projectId === undefined || canAccessProject(principal, projectId)) return undefined;
  return `This token may not access project ${projectId}`;
}

/**
 * The project a request is about: an id, `"none"` when the route is not about one project, or undefined when the
 * route filters by itself or the request is malformed or names no existing job (validation or the handler answer it).
 */
async function projectOf(
  db: Database,
  c: Context<ApiEnv>,
  rule: RouteRule,
  params: Record<string, string>,
): Promise<string | "none" | undefined> {
  const source = rule.project;
  switch (source.kind) {
    case "none":
      return "none";
    case "listing":
      return undefined;
    case "path":
      return params[source.param];
    case "query":
      return c.req.query(source.param) || undefined;
    case "path-job":
      return jobProject(db, params[source.param]);
    case "path-proposal":
      return proposalProject(db, params[source.param]);
    case "body":
      return stringField(await jsonBody(c), source.field);
    case "body-job":
      return jobProject(db, stringField(await jsonBody(c), source.field));
  }
}

async function jsonBody(c: Context<ApiEnv>): Promise<unknown> {
  if (!(c.req.header("content-type") ?? "").toLowerCase().includes("json")) return undefined;
  try {
    // Hono caches the body, so the route's validator reads the same text again.
    return await c.req.json();
  } catch {
    return undefined;
  }
}

function stringField(body: unknown, field: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}

async function proposalProject(db: Database, proposalId: string | undefined): Promise<string | undefined> {
  if (!proposalId || !isUuid(proposalId)) return undefined;
  const [row] = await db.orm
    .select({ projectId: consolidationProposals.projectId })
    .from(consolidationProposals)
    .where(eq(consolidationProposals.id, proposalId))
    .limit(1);
  return row?.projectId;
}

async function jobProject(db: Database, jobId: string | undefined): Promise<string | undefined> {
  if (!jobId || !isUuid(jobId)) return undefined;
  const [row] = await db.orm
    .select({ projectId: consolidationJobs.projectId })
    .from(consolidationJobs)
    .where(eq(consolidationJobs.id, jobId))
    .limit(1);
  return row?.projectId;
}
