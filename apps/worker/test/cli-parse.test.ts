import { describe, expect, it } from "vitest";
import { parseCli, parseOptionPairs, UsageError } from "../src/cli/parse.js";

const ID = "3f2b8c1e-7a4d-4e5f-9b6a-1c2d3e4f5a6b";

describe("parseCli", () => {
  it("parses every command", () => {
    expect(parseCli([])).toEqual({ name: "help" });
    expect(parseCli(["help"])).toEqual({ name: "help" });
    expect(parseCli(["--help"])).toEqual({ name: "help" });
    expect(parseCli(["jobs", "--help"])).toEqual({ name: "help" });
    expect(parseCli(["migrate"])).toEqual({ name: "migrate" });
    expect(parseCli(["worker"])).toEqual({ name: "worker" });
    expect(parseCli(["api"])).toEqual({ name: "api" });
    expect(parseCli(["start"])).toEqual({ name: "start", demo: true });
    expect(parseCli(["start", "--no-demo"])).toEqual({ name: "start", demo: false });
    expect(parseCli(["status", ID])).toEqual({ name: "status", jobId: ID });
    expect(parseCli(["rollback", ID, "--reason", "bad merge"])).toEqual({ name: "rollback", jobId: ID, reason: "bad merge" });
    expect(parseCli(["rollback", ID])).toEqual({ name: "rollback", jobId: ID });
    expect(parseCli(["purge-audit"])).toEqual({ name: "purge-audit" });
    expect(parseCli(["reembed", "00000000-0000-4000-8000-000000000000", "--all"])).toEqual({
      name: "reembed",
      projectId: "00000000-0000-4000-8000-000000000000",
      all: true,
    });
    expect(parseCli(["purge-audit", "--older-than-days", "30"])).toEqual({ name: "purge-audit", olderThanDays: 30 });
  });

  it("parses trigger with --wait and repeated --option", () => {
    expect(
      parseCli(["trigger", ID.toUpperCase(), "--wait", "--option", "similarity_threshold=0.85", "-o", "archive_enabled=false", "--option=note=a=b"]),
    ).toEqual({
      name: "trigger",
      projectId: ID,
      wait: true,
      options: { similarity_threshold: 0.85, archive_enabled: false, note: "a=b" },
    });
    expect(parseCli(["trigger", ID])).toMatchObject({ wait: false, options: {} });
  });

  it("parses jobs filters", () => {
    expect(parseCli(["jobs"])).toEqual({ name: "jobs", limit: 20, json: false });
    expect(parseCli(["jobs", "--project", ID, "--status", "failed", "--limit", "5", "--json"])).toEqual({
      name: "jobs",
      projectId: ID,
      status: "failed",
      limit: 5,
      json: true,
    });
  });

  it.each([
    [["frobnicate"], "Unknown command"],
    [["jobs", "--colour"], "Unknown option"],
    [["jobs", "--status", "done"], "--status"],
    [["jobs", "--limit", "0"], "--limit"],
    [["jobs", "--limit", "abc"], "--limit"],
    [["jobs", "--project", "nope"], "UUID"],
    [["status"], "needs <jobId>"],
    [["status", "not-a-uuid"], "UUID"],
    [["status", ID, "extra"], "Unexpected argument"],
    [["trigger", ID, "--option", "novalue"], "key=value"],
    [["trigger", ID, "--option", "=1"], "key=value"],
    [["trigger", ID, "--wait=yes"], "does not take an argument"],
    [["rollback", ID, "--reason"], "argument missing"],
    [["migrate", "now"], "Unexpected argument"],
    [["purge-audit", "--older-than-days", "6"], "--older-than-days"],
    [["purge-audit", "--older-than-days", "1.5"], "--older-than-days"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });
});

describe("parseOptionPairs", () => {
  it("keeps non-JSON values as strings and parses JSON ones", () => {
    expect(parseOptionPairs(["a=1", "b=true", "c=hello", "d=[1,2]", "e="])).toEqual({
      a: 1,
      b: true,
      c: "hello",
      d: [1, 2],
      e: "",
    });
  });
});
