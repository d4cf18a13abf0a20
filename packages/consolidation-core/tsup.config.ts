import { defineConfig } from "tsup";
import { packageBuild } from "../../scripts/tsup-package.js";

export default defineConfig({
  ...packageBuild({
    entry: {
      index: "src/index.ts",
      testing: "src/testing/index.ts",
      "lsh-worker": "src/threads/lsh-worker.ts",
      "embed-worker": "src/threads/embed-worker.ts",
      "guard-worker": "src/threads/guard-worker.ts",
    },
    withoutTypes: ["lsh-worker", "embed-worker", "guard-worker"],
  }),
  // The CommonJS build finds the worker scripts beside itself through import.meta.url too.
  shims: true,
});
