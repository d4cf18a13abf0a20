import type { RouteRule } from "./route-rules.js";

interface OperationLike {
  description?: string;
  responses?: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

interface DocumentLike {
  paths?: object;
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const ERROR_CONTENT = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

/** Adds each operation's access rule to an OpenAPI document: `x-memcons-scopes`, a sentence, and 403/429 answers. */
export function describeAccess(document: DocumentLike, rules: Readonly<Record<string, RouteRule>>): void {
  for (const [path, item] of Object.entries(document.paths ?? {}) as Array<[string, Record<string, unknown>]>) {
    for (const method of METHODS) {
      const operation = item[method] as OperationLike | undefined;
      const rule = rules[`${method.toUpperCase()} ${path}`];
      if (!operation || !rule || rule.public) continue;
      operation["x-memcons-scopes"] = [...rule.scopes];
      const scopes = rule.scopes.map((scope) => `\`${scope}\``).join(" or ");
      const sentence = `Needs ${scopes} (or \`admin\`)${projectNote(rule)}.`;
      operation.description = operation.description ? `${operation.description}\n\n${sentence}` : sentence;
      operation.responses ??= {};
      operation.responses["403"] ??= {
        description: "The token lacks the scope or the project (forbidden)",
        content: ERROR_CONTENT,
      };
      if (method !== "get") {
        operation.responses["429"] ??= {
          description: "Too many write requests from this token (rate_limited); see Retry-After",
          content: ERROR_CONTENT,
        };
      }
    }
  }
}

function projectNote(rule: RouteRule): string {
  switch (rule.project.kind) {
    case "none":
      return rule.scopes.includes("admin") ? "" : "; tokens limited to projects are refused";
    case "listing":
      return "; shows only the token's projects";
    case "query":
      return "; without the project parameter, shows only the token's projects";
    default:
      return ", for the request's project";
  }
}
