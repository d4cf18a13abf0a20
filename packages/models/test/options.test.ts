import { describe, expect, it } from "vitest";
import {
  DEFAULT_CONSOLIDATION_OPTIONS,
  DEFAULT_GLOBAL_SETTINGS,
  InvalidOptionsError,
  mergeConsolidationOptions,
  parseConsolidationOptions,
  parseGlobalSettings,
  parseJobScope,
  ValidationError,
} from "../src/index.js";

describe("consolidation options", () => {
  it("defaults to the design's values", () => {
    expect(parseConsolidationOptions(undefined)).toEqual(DEFAULT_CONSOLIDATION_OPTIONS);
    expect(DEFAULT_CONSOLIDATION_OPTIONS).toMatchObject({
      similarity_threshold: 0.9,
      min_cluster_size: 2,
      archive_stale_days: 90,
      archive_min_reuse: 3,
      promote_confidence_threshold: 0.85,
      merge_enabled: true,
      summarize_enabled: true,
      archive_enabled: true,
      promote_enabled: true,
      allow_cross_type: false,
    });
  });

  it.each([
    [{ similarity_threshold: 1.5 }, "similarity_threshold"],
    [{ similarity_threshold: "high" }, "similarity_threshold"],
    [{ min_cluster_size: 1 }, "min_cluster_size"],
    [{ min_cluster_size: 2.5 }, "min_cluster_size"],
    [{ archive_stale_days: 0 }, "archive_stale_days"],
    [{ promote_confidence_threshold: -0.1 }, "promote_confidence_threshold"],
    [{ merge_enabled: "yes" }, "merge_enabled"],
    [{ surprise: true }, "surprise"],
    [{ review_threshold: 0.9 }, "review_threshold"],
    [{ review_threshold: 0.85, similarity_threshold: 0.8 }, "review_threshold"],
    [{ review_threshold: 0.2 }, "review_threshold"],
    [{ dry_run: "yes" }, "dry_run"],
  ])("rejects %j naming %s", (input, field) => {
    const error = (() => {
      try {
        parseConsolidationOptions(input);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toContain(field);
    expect((error as InvalidOptionsError).issues[0]!.path).toContain(field);
  });

  it("has no review tier and no dry run unless asked, and takes a review_threshold below similarity_threshold", () => {
    expect(DEFAULT_CONSOLIDATION_OPTIONS).toMatchObject({ review_threshold: null, dry_run: false });
    expect(parseConsolidationOptions({ review_threshold: 0.8, dry_run: true })).toMatchObject({
      similarity_threshold: 0.9,
      review_threshold: 0.8,
      dry_run: true,
    });
  });

  it("rejects a non-object", () => {
    expect(() => parseConsolidationOptions([1, 2])).toThrow(InvalidOptionsError);
  });

  it("layers project defaults under job options", () => {
    const merged = mergeConsolidationOptions({ similarity_threshold: 0.8, archive_enabled: false }, { similarity_threshold: 0.95 }, null);
    expect(merged).toMatchObject({ similarity_threshold: 0.95, archive_enabled: false, min_cluster_size: 2 });
  });

  it("validates job scope", () => {
    expect(parseJobScope({ unconsolidated_only: true })).toEqual({ unconsolidated_only: true });
    expect(parseJobScope(undefined)).toEqual({ unconsolidated_only: false });
    expect(() => parseJobScope({ unconsolidated_only: "yes" })).toThrow(/unconsolidated_only/);
  });

  it("names at most one proposal or plan to carry out", () => {
    const id = "3f1c2a9e-8b7d-4c1e-9a0f-5d2e6b7c8a91";
    expect(parseJobScope({ proposal_id: id })).toEqual({ unconsolidated_only: false, proposal_id: id });
    expect(parseJobScope({ plan_job_id: id })).toEqual({ unconsolidated_only: false, plan_job_id: id });
    expect(() => parseJobScope({ proposal_id: "nope" })).toThrow(/proposal_id/);
    expect(() => parseJobScope({ proposal_id: id, plan_job_id: id })).toThrow(/exclude each other/);
  });
});

describe("global settings", () => {
  it("defaults to schedule 0 2 * * *, threshold 100, timeout 600 s", () => {
    expect(DEFAULT_GLOBAL_SETTINGS).toEqual({ schedule: "0 2 * * *", timezone: "UTC", threshold: 100, timeout_seconds: 600 });
  });

  it.each([
    [{ threshold: 9 }, "threshold"],
    [{ threshold: 1001 }, "threshold"],
    [{ timeout_seconds: 59 }, "timeout_seconds"],
    [{ timeout_seconds: 3601 }, "timeout_seconds"],
    [{ schedule: "" }, "schedule"],
  ])("rejects %j naming %s", (input, field) => {
    expect(() => parseGlobalSettings(input)).toThrow(ValidationError);
    expect(() => parseGlobalSettings(input)).toThrow(field);
  });

  it("accepts the range bounds", () => {
    expect(parseGlobalSettings({ threshold: 10, timeout_seconds: 3600 })).toMatchObject({ threshold: 10, timeout_seconds: 3600 });
    expect(parseGlobalSettings({ threshold: 1000, timeout_seconds: 60 })).toMatchObject({ threshold: 1000, timeout_seconds: 60 });
  });
});
