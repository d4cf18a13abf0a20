import type { TaskMemory } from "@memcons/models";
import { describe, expect, it } from "vitest";
import { createExtractiveSynthesizer } from "../src/index.js";

const mem = (over: Partial<TaskMemory>): TaskMemory =>
  ({ memoryType: "error_fix", success: true, tags: [], filePaths: [], goal: null, result: null, feedback: null, executionSummary: "", ...over }) as TaskMemory;

describe("extractive synthesizer", () => {
  const synthesizer = createExtractiveSynthesizer();

  it("extracts the shared pattern, practices and warnings, and scores agreement", async () => {
    const cluster = [
      mem({ executionSummary: "The root cause was a missing await before the commit. Always await the session write.", tags: ["auth", "db"] }),
      mem({ executionSummary: "The root cause was a missing await before the commit. Never return before the write finishes.", tags: ["auth"] }),
      mem({ executionSummary: "Root cause was a missing await before the commit. Always await the session write.", tags: ["auth"] }),
    ];
    const result = await synthesizer.synthesize(cluster);
    expect(result.category).toBe("error_fix");
    expect(result.tags).toEqual(["auth", "db"]);
    expect(result.patterns[0]).toBe("The root cause was a missing await before the commit.");
    expect(result.best_practices).toContain("Always await the session write.");
    expect(result.warnings).toContain("Never return before the write finishes.");
    expect(result.content).toContain("Synthesis of 3 related error fix memories.");
    expect(result.confidence).toBeGreaterThan(0.8);
    expect(result.confidence).toBeLessThanOrEqual(1);
    expect(synthesizer.model).toBe("extractive-v1");
  });

  it("is less confident when members disagree or failed", async () => {
    const cluster = [
      mem({ executionSummary: "Tried caching the tokens in memory.", success: false }),
      mem({ executionSummary: "Switched the queue to a bounded buffer.", success: false, memoryType: "learning" }),
      mem({ executionSummary: "Rewrote the parser by hand.", success: true, memoryType: "learning" }),
    ];
    const result = await synthesizer.synthesize(cluster);
    expect(result.confidence).toBeLessThan(0.8);
    expect(result.category).toBe("learning");
    expect(result.patterns).toEqual([]);
    expect(result.content.length).toBeGreaterThan(0);
  });
});
