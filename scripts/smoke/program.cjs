// CommonJS consumer: loads every memcons package with `require`.
"use strict";
const core = require("@memcons/consolidation-core");
const models = require("@memcons/models");
const scheduler = require("@memcons/scheduler");
const drizzle = require("drizzle-orm");
const { createApiApp } = require("@memcons/api");
const worker = require("@memcons/worker");
const { runScenario, checkThreadedPairSearch, check } = require("./scenario.cjs");

(async () => {
  check(typeof createApiApp === "function", "@memcons/api exports createApiApp");
  check(Object.keys(worker).length > 0, "@memcons/worker has exports");
  // The retry helper is what p-retry's ESM-only build broke under require.
  check((await models.withRetry(async () => 42)) === 42, "withRetry runs under require");
  console.log(`cjs ${await checkThreadedPairSearch(core, "cjs")}`);
  for (const url of process.argv.slice(2)) console.log(`cjs ${await runScenario({ models, core, scheduler, drizzle }, url, "cjs")}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
