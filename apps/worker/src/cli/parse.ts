import { parseArgs } from "node:util";
import { JOB_STATUSES, type JobStatus, MemconsError } from "@memcons/models";

/** The command line could not be understood; the CLI prints usage and exits 2. */
export class UsageError extends MemconsError {
  constructor(message: string) {
    super("usage_error", message);
  }
}

/** A parsed command line. */
export type Command =
  | { name: "help" }
  | { name: "migrate" }
  | { name: "worker" }
  | { name: "api" }
  | { name: "start"; demo: boolean }
  | { name: "trigger"; projectId: string; wait: boolean; options: Record<string, unknown> }
  | { name: "jobs"; projectId?: string; status?: JobStatus; limit: number; json: boolean }
  | { name: "status"; jobId: string }
  | { name: "rollback"; jobId: string; reason?: string }
  | { name: "purge-audit"; olderThanDays?: number }
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
  trigger <projectId>            queue a manual consolidation job and print it as JSON
      --wait                       show a progress bar on stderr until the job ends (exit 0 completed, 1 otherwise)
      --option key=value           consolidation option, repeatable (e.g. --option similarity_threshold=0.85)
  jobs                           list recent jobs, newest first
      --project <id>  --status <pending|running|completed|failed|cancelled>  --limit <1..1000, default 20>  --json
  status <jobId>                 print a job as JSON
  rollback <jobId>               undo every change a job made (within 7 days)
      --reason <text>
  purge-audit                    delete audit rows older than AUDIT_RETENTION_DAYS (default 90) and print the count
      --older-than-days <7..36500>  a different retention for this run
  reembed <projectId>            re-embed the project's memories and playbook entries that the configured embedder
                                 did not produce (progress on stderr, result as JSON)
      --all                        re-embed every row
  calibrate --pairs <file.tsv>   embed labelled pairs (text<TAB>text<TAB>1 or 0, one a line) with the configured
                                 embedder; print precision/recall/F1 by threshold and the thresholds to use
      --precision <0..1, default 0.98>  --review-precision <0..1, default 0.5>  --json
  help                           this text

Configuration comes from environment variables (DATABASE_URL, API_ADMIN_TOKENS, ...): see README.md.
`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Flags = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

const COMMANDS: Record<string, { flags: Flags; positionals: string[] }> = {
  help: { flags: {}, positionals: [] },
  migrate: { flags: {}, positionals: [] },
  worker: { flags: {}, positionals: [] },
  api: { flags: {}, positionals: [] },
  start: { flags: { "no-demo": { type: "boolean" } }, positionals: [] },
  trigger: {
    flags: { wait: { type: "boolean" }, option: { type: "string", multiple: true, short: "o" } },
    positionals: ["projectId"],
  },
  jobs: {
    flags: { project: { type: "string" }, status: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } },
    positionals: [],
  },
  status: { flags: {}, positionals: ["jobId"] },
  rollback: { flags: { reason: { type: "string" } }, positionals: ["jobId"] },
  "purge-audit": { flags: { "older-than-days": { type: "string" } }, positionals: [] },
  reembed: { flags: { all: { type: "boolean" } }, positionals: ["projectId"] },
  calibrate: {
    flags: { pairs: { type: "string" }, precision: { type: "string" }, "review-precision": { type: "string" }, json: { type: "boolean" } },
    positionals: [],
  },
};

/** Parses argv (without node and the script) into a Command; throws UsageError on anything unknown. */
export function parseCli(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") return { name: "help" };
  const spec = COMMANDS[name];
  if (!spec) throw new UsageError(`Unknown command '${name}'`);
  if (rest.includes("--help") || rest.includes("-h")) return { name: "help" };
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
    case "help":
    case "migrate":
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
        options: parseOptionPairs((values.option as string[] | undefined) ?? []),
      };
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
    default: {
      const reason = str("reason");
      return { name: "rollback", jobId: uuid(positionals[0]!, "jobId"), ...(reason !== undefined ? { reason } : {}) };
    }
  }
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

function uuid(value: string, what: string): string {
  if (!UUID.test(value)) throw new UsageError(`${what} must be a UUID, got '${value}'`);
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
