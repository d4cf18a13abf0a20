import { defineConfig } from "tsup";
import { packageBuild } from "../../scripts/tsup-package.js";

export default defineConfig({
  ...packageBuild({
    entry: { index: "src/index.ts", testing: "src/testing/index.ts", "lsh-worker": "src/detect/lsh-worker.ts" },
    withoutTypes: ["lsh-worker"],
  }),
  // The CommonJS build finds the LSH worker script beside itself through import.meta.url too.
  shims: true,
});
