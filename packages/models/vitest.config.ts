import { defineConfig } from "vitest/config";
import { NoSkippedTestsReporter } from "./src/testing/index.js";

const PACKAGE = "models";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: [
      "default",
      new NoSkippedTestsReporter({
        enabled: process.env.MEMCONS_REQUIRE_POSTGRES === "1",
        summaryFile: process.env.MEMCONS_TEST_SUMMARY_DIR
          ? `${process.env.MEMCONS_TEST_SUMMARY_DIR}/${PACKAGE}.json`
          : undefined,
      }),
    ],
  },
});
