import { API_SCOPES } from "@memcons/models";

/**
 * Usage of each command, printed by `memcons help <command>` and `memcons <command> --help`. Keys are the
 * command names of parseCli (`tokens create`, …); `tokens` covers its three subcommands.
 */
export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  start: `Usage: memcons start [--no-demo]

Runs the HTTP API and the worker in one process until SIGTERM/SIGINT. On first start it creates the demo
project and prints the URL, an admin token and a curl line.

  --no-demo   do not create the demo project
`,
  worker: `Usage: memcons worker

Runs the job runner, the cron schedules and the health server (/healthz, /readyz, /metrics) until
SIGTERM/SIGINT. Configuration comes from environment variables (see docs/configuration.md).
`,
  api: `Usage: memcons api

Serves the HTTP API (and /openapi.json, /docs, /ui) until SIGTERM/SIGINT.
`,
  migrate: `Usage: memcons migrate [--print [--skip <tag>]…]

Applies the pending database migrations to DATABASE_URL and lists them.

  --print        print the migration SQL instead (every migration, one statement each, ending with its row in
                 memcons.migrations); needs no database and touches none
  --skip <tag>   with --print: leave out a migration already applied elsewhere, repeatable
                 (e.g. --skip 0000_memcons_schema)
`,
  trigger: `Usage: memcons trigger <projectId> [--wait] [--dry-run] [--option key=value]…

Queues a manual consolidation job (or returns the project's active one) and prints it as JSON.

  --wait               show a progress bar on stderr until the job ends (exit 0 completed, 1 otherwise)
  --option key=value   consolidation option, repeatable (e.g. --option similarity_threshold=0.85); -o for short
  --dry-run            plan only: store what the job would do (see 'memcons plan') and change no memory
`,
  jobs: `Usage: memcons jobs [--project <id>] [--status <status>] [--limit <n>] [--json]

Lists recent jobs, newest first, as a table (or JSON with --json).

  --project <id>     only this project's jobs
  --status <status>  pending, running, completed, failed or cancelled
  --limit <n>        1..1000 (default 20)
  --json             print JSON
`,
  status: `Usage: memcons status <jobId>

Prints a job as JSON, with the number of its audit rows per operation.
`,
  rollback: `Usage: memcons rollback <jobId> [--reason <text>] [--force]

Undoes every change the job made (within 7 days of its end) and prints the result as JSON. When memories the
job touched changed afterwards, nothing is rolled back: the command lists them (with the columns that changed)
and exits 1.

  --reason <text>   recorded with the rollback in the audit log
  --force           roll back everything else and leave the memories changed since the job as they are
                    (listed in the result's "skipped")
`,
  proposals: `Usage: memcons proposals <projectId> [--status <status>] [--limit <n>] [--json]

Lists the project's review proposals, newest first.

  --status <status>  pending, approved or rejected
  --limit <n>        1..1000 (default 20)
  --json             print JSON
`,
  approve: `Usage: memcons approve <proposalId> [--wait]

Approves a review proposal: queues the job that merges its members.

  --wait   follow that job with a progress bar until it ends
`,
  reject: `Usage: memcons reject <proposalId>

Rejects a review proposal; the same members are never proposed again.
`,
  plan: `Usage: memcons plan <jobId> [--kind <kind>] [--limit <n>]

Prints a dry run's plan and its items as JSON.

  --kind <kind>   merge, archive, promote or review
  --limit <n>     1..1000 (default 20)
`,
  "apply-plan": `Usage: memcons apply-plan <jobId> [--wait]

Applies a dry run's plan: queues the job that carries it out.

  --wait   follow that job with a progress bar until it ends
`,
  "discard-plan": `Usage: memcons discard-plan <jobId>

Discards a dry run's plan.
`,
  "purge-audit": `Usage: memcons purge-audit [--older-than-days <n>]

Deletes audit rows older than AUDIT_RETENTION_DAYS (default 90) and prints the count as JSON.

  --older-than-days <n>   a different retention for this run, 7..36500
`,
  tokens: `Usage: memcons tokens create --name <name> --scope <scope>… [--project <id>]… [--expires-in <days>] [--json]
       memcons tokens list [--json]
       memcons tokens revoke <name>

Manages stored API tokens. See 'memcons tokens <subcommand> --help'.
`,
  "tokens create": `Usage: memcons tokens create --name <name> --scope <scope>… [--project <id>]… [--expires-in <days>] [--json]

Creates an API token and prints it (shown this once).

  --name <name>         the token's name, unique
  --scope <scope>       repeatable; one of ${API_SCOPES.join(", ")}
  --project <id>        limit it to a project, repeatable (default: every project)
  --expires-in <days>   expire it after 1..3650 days (default: never)
  --json                print the token with its description as JSON
`,
  "tokens list": `Usage: memcons tokens list [--json]

Lists stored API tokens (never their values).

  --json   print JSON
`,
  "tokens revoke": `Usage: memcons tokens revoke <name>

Revokes an API token; every API process refuses it within a second.
`,
  reembed: `Usage: memcons reembed <projectId> [--all]

Re-embeds the project's memories and playbook entries that the configured embedder did not produce (progress on
stderr, result as JSON).

  --all   re-embed every row
`,
  calibrate: `Usage: memcons calibrate --pairs <file.tsv> [--precision <p>] [--review-precision <p>] [--json]

Embeds labelled pairs (text<TAB>text<TAB>1 or 0, one a line) with the configured embedder and prints
precision/recall/F1 by threshold and the thresholds to use.

  --pairs <file.tsv>        the labelled pairs
  --precision <p>           precision wanted for similarity_threshold, above 0 and at most 1 (default 0.98)
  --review-precision <p>    precision wanted for review_threshold (default 0.5)
  --json                    print JSON
`,
  help: `Usage: memcons help [<command>]

Prints the overview of every command, or one command's usage (also: memcons <command> --help).
`,
  version: `Usage: memcons --version

Prints the version of the installed @memcons/worker package (also: memcons -v, memcons version).
`,
};
