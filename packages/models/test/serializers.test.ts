import { describe, expect, it } from "vitest";
import { changeToDict, jobToDict, memoryToDict, projectToDict, type ConsolidationJob, type TaskMemory } from "../src/index.js";

const at = new Date("2026-03-04T05:06:07.000Z");

describe("serializers", () => {
  it("serializes a job with ISO timestamps and never-null collections", () => {
    const job = {
      id: "j1", projectId: "p1", status: "running", triggerType: "manual", options: null, scope: null,
      memoriesMerged: 1, memoriesArchived: 2, memoriesPromoted: 3, summariesCreated: 4, phasesCompleted: null,
      metrics: null, progress: 0.5, retryCount: 0, maxRetries: 3, runAt: at, lockedBy: "w1", lockedUntil: at,
      cancelRequestedAt: null, startedAt: at, completedAt: null, durationSeconds: null, errorMessage: null,
      triggeredBy: "system", rolledBackAt: null, createdAt: at,
    } as unknown as ConsolidationJob;
    const dict = jobToDict(job);
    expect(dict).toMatchObject({ options: {}, scope: {}, metrics: {}, phases_completed: [], started_at: "2026-03-04T05:06:07.000Z", completed_at: null });
    expect(JSON.parse(JSON.stringify(dict))).toEqual(dict);
  });

  it("serializes a memory without its embedding unless asked", () => {
    const memory = {
      id: "m1", projectId: "p1", taskId: null, memoryType: "learning", executionSummary: "x", goal: null, result: null,
      feedback: null, tags: null, filePaths: ["a.ts"], contextEmbedding: [0.1], success: true, reusedCount: 0,
      lastReusedAt: null, learnedAt: at, isDuplicate: false, duplicateOf: null, isConsolidated: false,
      consolidatedFrom: null, consolidatedAt: null, synthesizedFrom: null, synthesizedAt: null, synthesisConfidence: null,
      needsReview: false, isArchived: false, archivedAt: null, archiveReason: null, version: 1, createdAt: at, updatedAt: at,
    } as unknown as TaskMemory;
    const plain = memoryToDict(memory);
    expect(plain).not.toHaveProperty("context_embedding");
    expect(plain).toMatchObject({ tags: [], file_paths: ["a.ts"], consolidated_from: [], learned_at: at.toISOString() });
    expect(memoryToDict(memory, { includeEmbedding: true }).context_embedding).toHaveLength(1);
  });

  it("serializes projects and changes", () => {
    expect(
      projectToDict({ id: "p", name: "n", consolidationEnabled: true, consolidationThreshold: null, consolidationOptions: {}, isActive: true, createdAt: at, updatedAt: at }),
    ).toMatchObject({ consolidation_threshold: null, created_at: at.toISOString() });
    expect(
      changeToDict({ id: "c", consolidationJobId: "j", operation: "merge", memoryId: null, previousState: null, newState: { a: 1 }, reason: null, confidence: null, changedAt: at, changedBy: "system" }),
    ).toMatchObject({ previous_state: null, new_state: { a: 1 }, changed_at: at.toISOString() });
  });
});
