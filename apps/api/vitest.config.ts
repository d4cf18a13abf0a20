import { NoSkippedTestsReporter } from "@memcons/models/testing";
import { defineConfig } from "vitest/config";

const PACKAGE = "api";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    passWithNoTests: true,
    testTimeout: 30_000,
    // Browser and process tests poll for what a loaded machine may take seconds to show.
    expect: { poll: { timeout: 30_000 } },
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
