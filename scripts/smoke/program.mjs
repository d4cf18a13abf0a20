// ESM consumer: loads every memcons package with `import`.
import { createRequire } from "node:module";
import * as core from "@memcons/consolidation-core";
import * as models from "@memcons/models";
import * as scheduler from "@memcons/scheduler";
import * as drizzle from "drizzle-orm";
import { createApiApp } from "@memcons/api";
import * as worker from "@memcons/worker";

const { runScenario, checkThreadedPairSearch, check } = createRequire(import.meta.url)("./scenario.cjs");
check(typeof createApiApp === "function", "@memcons/api exports createApiApp");
check(Object.keys(worker).length > 0, "@memcons/worker has exports");
console.log(`esm ${await checkThreadedPairSearch(core, "esm")}`);
for (const url of process.argv.slice(2)) console.log(`esm ${await runScenario({ models, core, scheduler, drizzle }, url, "esm")}`);
