import { parseArgs } from "node:util";
import { COMMAND_USAGE } from "./help.js";
import {
  API_SCOPES,
  type ApiScope,
  isUuid,
  JOB_STATUSES,
  type JobStatus,
  MemconsError,
  migrationStatements,
  PLAN_ITEM_KINDS,
  type PlanItemKind,
  PROPOSAL_STATUSES,
  type ProposalStatus,
} from "@memcons/models";

/** The command line could not be understood; the CLI prints usage and exits 2. */
export class UsageError extends MemconsError {
  /** The command whose usage the CLI prints with the message (the overview when unset). */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super("usage_error", message);
    this.command = command;
  }
}

/** A parsed command line. */
export type Command =
  | { name: "help"; command?: string }
  | { name: "version" }
  | { name: "migrate"; print: boolean; skip: string[] }
  | { name: "worker" }
  | { name: "api" }
  | { name: "start"; demo: boolean }
  | { name: "trigger"; projectId: string; wait: boolean; dryRun: boolean; options: Record<string, unknown> }
  | { name: "proposals"; projectId: string; status?: ProposalStatus; limit: number; json: boolean }
  | { name: "approve"; proposalId: string; wait: boolean }
  | { name: "reject"; proposalId: string }
  | { name: "plan"; jobId: string; kind?: PlanItemKind; limit: number }
  | { name: "apply-plan"; jobId: string; wait: boolean }
  | { name: "discard-plan"; jobId: string }
  | { name: "jobs"; projectId?: string; status?: JobStatus; limit: number; json: boolean }
  | { name: "status"; jobId: string }
  | { name: "rollback"; jobId: string; reason?: string; force: boolean }
  | { name: "purge-audit"; olderThanDays?: number }
  | { name: "tokens create"; tokenName: string; scopes: ApiScope[]; projectIds: string[]; expiresInDays?: number; json: boolean }
  | { name: "tokens list"; json: boolean }
  | { name: "tokens revoke"; tokenName: string }
  | { name: "reembed"; projectId: string; all: boolean }
  | { name: "calibrate"; pairsFile: string; precision: number; reviewPrecision: number; json: boolean };

/** Usage text printed by `memcons help` and on usage errors. */
export const USAGE = `memcons — consolidates the memories of AI coding agents

Usage: memcons <command> [arguments] [flags]

Commands:
  start                          API + worker in one process (creates the demo project; --no-demo to skip)
  worker                         job runner + cron + health server (/healthz, /readyz, /metrics)
  api                            the HTTP API server
  migrate                        apply pending database migrations
      --print                      print the migration SQL instead, without a database (--skip <tag> to leave one out)
  trigger <projectId>            queue a manual consolidation job and print it as JSON
      --wait                       show a progress bar on stderr until the job ends (exit 0 completed, 1 otherwise)
      --option key=value           consolidation option, repeatable (e.g. --option similarity_threshold=0.85)
      --dry-run                    plan only: store what the job would do (see 'plan') and change no memory
  jobs                           list recent jobs, newest first
      --project <id>  --status <pending|running|completed|failed|cancelled>  --limit <1..1000, default 20>  --json
  status <jobId>                 print a job as JSON
  rollback <jobId>               undo every change a job made (within 7 days)
      --reason <text>
      --force                      leave the memories changed since the job as they are and roll back the rest
                                   (without it, those memories are listed and nothing is rolled back)
  proposals <projectId>          list the project's review proposals, newest first
      --status <pending|approved|rejected>  --limit <1..1000, default 20>  --json
  approve <proposalId>           approve a proposal: queue the job that merges its members (--wait to follow it)
  reject <proposalId>            reject a proposal; the same members are never proposed again
  plan <jobId>                   print a dry run's plan and its items as JSON
      --kind <merge|archive|promote|review>  --limit <1..1000, default 20>
  apply-plan <jobId>             apply a dry run's plan: queue the job that carries it out (--wait to follow it)
  discard-plan <jobId>           discard a dry run's plan
  purge-audit                    delete audit rows older than AUDIT_RETENTION_DAYS (default 90) and print the count
      --older-than-days <7..36500>  a different retention for this run
  tokens create --name <name> --scope <scope>…  create an API token and print it (shown this once)
      --project <id>               limit it to a project, repeatable (default: every project)
      --expires-in <days>          expire it after 1..3650 days (default: never)
      --json                       print the token with its description as JSON
      scopes: ${API_SCOPES.join(", ")}
  tokens list                    list stored API tokens (never their values)   --json
  tokens revoke <name>           revoke an API token; every API process refuses it within a second
  reembed <projectId>            re-embed the project's memories and playbook entries that the configured embedder
                                 did not produce (progress on stderr, result as JSON)
      --all                        re-embed every row
  calibrate --pairs <file.tsv>   embed labelled pairs (text<TAB>text<TAB>1 or 0, one a line) with the configured
                                 embedder; print precision/recall/F1 by threshold and the thresholds to use
      --precision <0..1, default 0.98>  --review-precision <0..1, default 0.5>  --json
  help [<command>]               this text, or one command's usage (also: memcons <command> --help)
  --version, -v                  print the version of memcons

Configuration comes from environment variables (DATABASE_URL, API_ADMIN_TOKENS, ...): see README.md.
`;


type Flags = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

const COMMANDS: Record<string, { flags: Flags; positionals: string[] }> = {
  migrate: { flags: { print: { type: "boolean" }, skip: { type: "string", multiple: true } }, positionals: [] },
  worker: { flags: {}, positionals: [] },
  api: { flags: {}, positionals: [] },
  start: { flags: { "no-demo": { type: "boolean" } }, positionals: [] },
  trigger: {
    flags: { wait: { type: "boolean" }, "dry-run": { type: "boolean" }, option: { type: "string", multiple: true, short: "o" } },
    positionals: ["projectId"],
  },
  proposals: {
    flags: { status: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } },
    positionals: ["projectId"],
  },
  approve: { flags: { wait: { type: "boolean" } }, positionals: ["proposalId"] },
  reject: { flags: {}, positionals: ["proposalId"] },
  plan: { flags: { kind: { type: "string" }, limit: { type: "string" } }, positionals: ["jobId"] },
  "apply-plan": { flags: { wait: { type: "boolean" } }, positionals: ["jobId"] },
  "discard-plan": { flags: {}, positionals: ["jobId"] },
  jobs: {
    flags: { project: { type: "string" }, status: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } },
    positionals: [],
  },
  status: { flags: {}, positionals: ["jobId"] },
  rollback: { flags: { reason: { type: "string" }, force: { type: "boolean" } }, positionals: ["jobId"] },
  "purge-audit": { flags: { "older-than-days": { type: "string" } }, positionals: [] },
  "tokens create": {
    flags: {
      name: { type: "string" },
      scope: { type: "string", multiple: true },
      project: { type: "string", multiple: true },
      "expires-in": { type: "string" },
      json: { type: "boolean" },
    },
    positionals: [],
  },
  "tokens list": { flags: { json: { type: "boolean" } }, positionals: [] },
  "tokens revoke": { flags: {}, positionals: ["name"] },
  reembed: { flags: { all: { type: "boolean" } }, positionals: ["projectId"] },
  calibrate: {
    flags: { pairs: { type: "string" }, precision: { type: "string" }, "review-precision": { type: "string" }, json: { type: "boolean" } },
    positionals: [],
  },
};

const TOKEN_SUBCOMMANDS = ["create", "list", "revoke"];

/** Parses argv (without node and the script) into a Command; throws UsageError on anything unknown. */
export function parseCli(argv: readonly string[]): Command {
  let [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") return { name: "help" };
  if (name === "--version" || name === "-v" || name === "version") {
    if (rest.length > 0) throw new UsageError(`Unexpected argument '${rest[0]}' for 'memcons --version'`, "version");
    return { name: "version" };
  }
  if (name === "help") return parseHelp(rest);
  if (name === "tokens") {
    const sub = rest[0];
    if (sub === "--help" || sub === "-h") return { name: "help", command: "tokens" };
    if (sub === undefined || !TOKEN_SUBCOMMANDS.includes(sub)) {
      throw new UsageError(`'memcons tokens' needs one of ${TOKEN_SUBCOMMANDS.join(", ")}`, "tokens");
    }
    name = `tokens ${sub}`;
    rest = rest.slice(1);
  }
  const spec = COMMANDS[name];
  if (!spec) throw new UsageError(`Unknown command '${name}'`);
  if (rest.includes("--help") || rest.includes("-h")) return { name: "help", command: name };
  try {
    return parseCommand(name, rest, spec);
  } catch (error) {
    if (error instanceof UsageError && error.command === undefined) throw new UsageError(error.message, name);
    throw error;
  }
}

/** Parses the flags and positionals of a known command. */
function parseCommand(name: string, rest: readonly string[], spec: { flags: Flags; positionals: string[] }): Command {
  let parsed: { values: Record<string, string | boolean | Array<string | boolean> | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: spec.flags, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length < spec.positionals.length) {
    throw new UsageError(`'memcons ${name}' needs <${spec.positionals[positionals.length]}>`);
  }
  if (positionals.length > spec.positionals.length) {
    throw new UsageError(`Unexpected argument '${positionals[spec.positionals.length]}' for 'memcons ${name}'`);
  }
  const str = (key: string) => values[key] as string | undefined;
  const flag = (key: string) => values[key] === true;
  switch (name) {
    case "migrate": {
      const skip = (values.skip as string[] | undefined) ?? [];
      if (skip.length > 0 && !flag("print")) throw new UsageError("--skip is only for 'memcons migrate --print'");
      const known = migrationTags();
      for (const tag of skip) {
        if (!known.includes(tag)) throw new UsageError(`--skip: unknown migration '${tag}'; migrations: ${known.join(", ")}`);
      }
      return { name, print: flag("print"), skip };
    }
    case "worker":
    case "api":
      return { name };
    case "start":
      return { name, demo: !flag("no-demo") };
    case "trigger":
      return {
        name,
        projectId: uuid(positionals[0]!, "projectId"),
        wait: flag("wait"),
        dryRun: flag("dry-run"),
        options: parseOptionPairs((values.option as string[] | undefined) ?? []),
      };
    case "proposals": {
      const status = oneOf(str("status"), PROPOSAL_STATUSES, "--status");
      return {
        name,
        projectId: uuid(positionals[0]!, "projectId"),
        ...(status !== undefined ? { status } : {}),
        limit: parseLimit(str("limit")),
        json: flag("json"),
      };
    }
    case "approve":
      return { name, proposalId: uuid(positionals[0]!, "proposalId"), wait: flag("wait") };
    case "reject":
      return { name, proposalId: uuid(positionals[0]!, "proposalId") };
    case "plan": {
      const kind = oneOf(str("kind"), PLAN_ITEM_KINDS, "--kind");
      return { name, jobId: uuid(positionals[0]!, "jobId"), ...(kind !== undefined ? { kind } : {}), limit: parseLimit(str("limit")) };
    }
    case "apply-plan":
      return { name, jobId: uuid(positionals[0]!, "jobId"), wait: flag("wait") };
    case "discard-plan":
      return { name, jobId: uuid(positionals[0]!, "jobId") };
    case "jobs": {
      const status = str("status");
      if (status !== undefined && !(JOB_STATUSES as readonly string[]).includes(status)) {
        throw new UsageError(`--status must be one of ${JOB_STATUSES.join(", ")}`);
      }
      const project = str("project");
      return {
        name,
        ...(project !== undefined ? { projectId: uuid(project, "--project") } : {}),
        ...(status !== undefined ? { status: status as JobStatus } : {}),
        limit: parseLimit(str("limit")),
        json: flag("json"),
      };
    }
    case "status":
      return { name, jobId: uuid(positionals[0]!, "jobId") };
    case "reembed":
      return { name, projectId: uuid(positionals[0]!, "projectId"), all: flag("all") };
    case "calibrate": {
      const pairsFile = str("pairs");
      if (pairsFile === undefined || pairsFile.length === 0) throw new UsageError("'memcons calibrate' needs --pairs <file.tsv>");
      return {
        name,
        pairsFile,
        precision: parseFraction(str("precision"), "--precision", 0.98),
        reviewPrecision: parseFraction(str("review-precision"), "--review-precision", 0.5),
        json: flag("json"),
      };
    }
    case "purge-audit": {
      const days = str("older-than-days");
      return { name, ...(days !== undefined ? { olderThanDays: parseRetentionDays(days) } : {}) };
    }
    case "tokens create":
      return parseTokenCreate(values);
    case "tokens list":
      return { name, json: flag("json") };
    case "tokens revoke":
      return { name, tokenName: positionals[0]! };
    default: {
      const reason = str("reason");
      return {
        name: "rollback",
        jobId: uuid(positionals[0]!, "jobId"),
        ...(reason !== undefined ? { reason } : {}),
        force: flag("force"),
      };
    }
  }
}

/** `memcons help [<command>]`: the overview, or one command's usage (`help tokens create` too). */
function parseHelp(rest: readonly string[]): Command {
  if (rest.length === 0) return { name: "help" };
  if (rest.length === 1 && (rest[0] === "--help" || rest[0] === "-h")) return { name: "help", command: "help" };
  const topic = rest.join(" ");
  if (!(topic in COMMAND_USAGE)) throw new UsageError(`Unknown command '${topic}'`);
  return { name: "help", command: topic };
}

/** The usage text of one command (as `memcons help <command>` prints it), or the overview without one. */
export function usageOf(command?: string): string {
  if (command === undefined) return USAGE;
  const text = COMMAND_USAGE[command];
  if (text === undefined) throw new UsageError(`Unknown command '${command}'`);
  return text;
}

/** Tags of the migrations this version ships, in order (read from migrationStatements()). */
export function migrationTags(): string[] {
  const tags: string[] = [];
  for (const statement of migrationStatements()) {
    const match = /^insert into memcons\.migrations \(tag, hash\) values \('([^']+)'/.exec(statement);
    if (match?.[1]) tags.push(match[1]);
  }
  return tags;
}

/** Turns `key=value` pairs into an options object; values are parsed as JSON when they are JSON. */
export function parseOptionPairs(pairs: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--option expects key=value, got '${pair}'`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep the string.
    }
    options[key] = value;
  }
  return options;
}

function parseTokenCreate(values: Record<string, string | boolean | Array<string | boolean> | undefined>): Command {
  const tokenName = values.name;
  if (typeof tokenName !== "string" || tokenName.length === 0) throw new UsageError("'memcons tokens create' needs --name <name>");
  const scopes = (values.scope as string[] | undefined) ?? [];
  if (scopes.length === 0) throw new UsageError(`'memcons tokens create' needs --scope, one of ${API_SCOPES.join(", ")}`);
  for (const scope of scopes) {
    if (!(API_SCOPES as readonly string[]).includes(scope)) {
      throw new UsageError(`--scope must be one of ${API_SCOPES.join(", ")}, got '${scope}'`);
    }
  }
  const projectIds = ((values.project as string[] | undefined) ?? []).map((id) => uuid(id, "--project"));
  const days = values["expires-in"];
  let expiresInDays: number | undefined;
  if (typeof days === "string") {
    expiresInDays = Number(days);
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650) {
      throw new UsageError(`--expires-in must be a whole number of days from 1 to 3650, got '${days}'`);
    }
  }
  return {
    name: "tokens create",
    tokenName,
    scopes: scopes as ApiScope[],
    projectIds,
    ...(expiresInDays !== undefined ? { expiresInDays } : {}),
    json: values.json === true,
  };
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | undefined {
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${what} must be one of ${allowed.join(", ")}`);
  }
  return value as T | undefined;
}

function uuid(value: string, what: string): string {
  if (!isUuid(value)) throw new UsageError(`${what} must be a UUID, got '${value}'`);
  return value.toLowerCase();
}

function parseRetentionDays(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 7 || n > 36_500) {
    throw new UsageError(`--older-than-days must be a whole number from 7 (the rollback window) to 36500, got '${raw}'`);
  }
  return n;
}

function parseFraction(raw: string | undefined, what: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0 && n <= 1)) throw new UsageError(`${what} must be a number above 0 and at most 1, got '${raw}'`);
  return n;
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 20;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`--limit must be a whole number from 1 to 1000, got '${raw}'`);
  return n;
}
