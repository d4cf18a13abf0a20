import { describe, expect, it } from "vitest";
import {
  assertTransition,
  canTransition,
  IllegalTransitionError,
  isTerminalStatus,
  JOB_STATUSES,
  nextStatuses,
} from "../src/index.js";

describe("job state machine", () => {
  it.each([
    ["pending", "running"],
    ["pending", "cancelled"],
    ["running", "completed"],
    ["running", "failed"],
    ["running", "cancelled"],
    ["running", "pending"],
  ] as const)("allows %s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each([
    ["pending", "completed"],
    ["pending", "failed"],
    ["completed", "running"],
    ["failed", "pending"],
    ["cancelled", "running"],
    ["running", "running"],
  ] as const)("refuses %s → %s with IllegalTransitionError", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const error = (() => {
      try {
        assertTransition(from, to);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ from, to, code: "illegal_transition" });
  });

  it("has exactly three terminal states", () => {
    expect(JOB_STATUSES.filter(isTerminalStatus).sort()).toEqual(["cancelled", "completed", "failed"]);
    expect(nextStatuses("completed")).toEqual([]);
  });
});
