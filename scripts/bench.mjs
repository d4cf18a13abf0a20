// Runs one benchmark by name: `pnpm bench <name> [flags]`. Each benchmark prints JSON lines on stdout.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BENCHMARKS = {
  consolidation: "packages/consolidation-core/bench/consolidation.ts",
  quality: "packages/consolidation-core/bench/quality.ts",
  queue: "packages/scheduler/bench/queue.ts",
  sweep: "packages/scheduler/bench/sweep.ts",
  api: "apps/api/bench/api.ts",
  search: "apps/api/bench/search.ts",
  fleet: "apps/worker/bench/fleet.ts",
};

const [name, ...args] = process.argv.slice(2);
const root = fileURLToPath(new URL("../", import.meta.url));
const file = BENCHMARKS[name ?? ""];
if (!file || !existsSync(root + file)) {
  process.stderr.write(`usage: pnpm bench <${Object.keys(BENCHMARKS).join("|")}> [flags]\n`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ["--import", "tsx", root + file, ...args], {
  stdio: "inherit",
  cwd: root,
});
process.exit(result.status ?? 1);
