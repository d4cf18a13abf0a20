import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  InvalidOptionsError,
  isTransientDbError,
  type RetryPolicy,
  withRetry,
} from "../src/index.js";

const fast: RetryPolicy = { retries: 3, factor: 2, minTimeoutMs: 1, maxTimeoutMs: 10, jitter: false };

describe("backoffDelay", () => {
  const policy: RetryPolicy = { retries: 5, factor: 2, minTimeoutMs: 100, maxTimeoutMs: 1_000, jitter: false };

  it("grows geometrically and is capped", () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy))).toEqual([100, 200, 400, 800, 1_000]);
  });

  it("applies jitter in [1, 2) when enabled", () => {
    const jittered = { ...policy, jitter: true };
    expect(backoffDelay(2, jittered, () => 0)).toBe(200);
    expect(backoffDelay(2, jittered, () => 0.5)).toBe(300);
    expect(backoffDelay(1, jittered, () => 0.999)).toBeLessThanOrEqual(200);
  });
});

describe("isTransientDbError", () => {
  it.each(["40001", "40P01", "57P01", "08006", "ECONNRESET", "CONNECTION_CLOSED"])("treats %s as transient", (code) => {
    expect(isTransientDbError(Object.assign(new Error("x"), { code }))).toBe(true);
  });

  it("looks through wrapped causes", () => {
    const cause = Object.assign(new Error("deadlock"), { code: "40P01" });
    expect(isTransientDbError(new Error("query failed", { cause }))).toBe(true);
  });

  it.each(["23505", "23514", "42P01", undefined])("treats %s as permanent", (code) => {
    expect(isTransientDbError(Object.assign(new Error("x"), { code }))).toBe(false);
  });

  it("is false for non-errors", () => {
    expect(isTransientDbError(null)).toBe(false);
    expect(isTransientDbError("40001")).toBe(false);
  });
});

describe("withRetry", () => {
  it("retries transient errors until success and reports each retry", async () => {
    const retries: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error("serialization"), { code: "40001" });
        return "done";
      },
      fast,
      { onRetry: (_e, attempt) => retries.push(attempt) },
    );
    expect(result).toBe("done");
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it("does not retry permanent errors", async () => {
    let calls = 0;
    const error = await withRetry(async () => {
      calls += 1;
      throw new InvalidOptionsError("bad", []);
    }, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(calls).toBe(1);
  });

  it("does not retry errors that are not transient", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw Object.assign(new Error("unique"), { code: "23505" });
      }, fast),
    ).rejects.toThrow("unique");
    expect(calls).toBe(1);
  });

  it("gives up after the policy's retries with the last error", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw Object.assign(new Error(`deadlock ${calls}`), { code: "40P01" });
      }, fast),
    ).rejects.toThrow("deadlock 4");
    expect(calls).toBe(4);
  });
});
