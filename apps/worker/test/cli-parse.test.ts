import { describe, expect, it } from "vitest";
import { migrationTags, parseCli, parseOptionPairs, USAGE, UsageError, usageOf } from "../src/cli/parse.js";

const ID = "3f2b8c1e-7a4d-4e5f-9b6a-1c2d3e4f5a6b";

describe("parseCli", () => {
  it("parses every command", () => {
    expect(parseCli([])).toEqual({ name: "help" });
    expect(parseCli(["help"])).toEqual({ name: "help" });
    expect(parseCli(["--help"])).toEqual({ name: "help" });
    expect(parseCli(["migrate"])).toEqual({ name: "migrate", print: false, skip: [] });
    expect(parseCli(["worker"])).toEqual({ name: "worker" });
    expect(parseCli(["api"])).toEqual({ name: "api" });
    expect(parseCli(["start"])).toEqual({ name: "start", demo: true });
    expect(parseCli(["start", "--no-demo"])).toEqual({ name: "start", demo: false });
    expect(parseCli(["status", ID])).toEqual({ name: "status", jobId: ID });
    expect(parseCli(["rollback", ID, "--reason", "bad merge"])).toEqual({ name: "rollback", jobId: ID, reason: "bad merge", force: false });
    expect(parseCli(["rollback", ID])).toEqual({ name: "rollback", jobId: ID, force: false });
    expect(parseCli(["rollback", ID, "--force"])).toEqual({ name: "rollback", jobId: ID, force: true });
    expect(parseCli(["purge-audit"])).toEqual({ name: "purge-audit" });
    expect(parseCli(["reembed", "00000000-0000-4000-8000-000000000000", "--all"])).toEqual({
      name: "reembed",
      projectId: "00000000-0000-4000-8000-000000000000",
      all: true,
    });
    expect(parseCli(["purge-audit", "--older-than-days", "30"])).toEqual({ name: "purge-audit", olderThanDays: 30 });
  });

  it("parses --version, -v and version", () => {
    expect(parseCli(["--version"])).toEqual({ name: "version" });
    expect(parseCli(["-v"])).toEqual({ name: "version" });
    expect(parseCli(["version"])).toEqual({ name: "version" });
  });

  it("parses help <command> and <command> --help into that command's help", () => {
    expect(parseCli(["help", "rollback"])).toEqual({ name: "help", command: "rollback" });
    expect(parseCli(["rollback", "--help"])).toEqual({ name: "help", command: "rollback" });
    expect(parseCli(["jobs", "--status", "failed", "-h"])).toEqual({ name: "help", command: "jobs" });
    expect(parseCli(["help", "tokens", "create"])).toEqual({ name: "help", command: "tokens create" });
    expect(parseCli(["tokens", "create", "--help"])).toEqual({ name: "help", command: "tokens create" });
    expect(parseCli(["tokens", "--help"])).toEqual({ name: "help", command: "tokens" });
    expect(parseCli(["help", "tokens"])).toEqual({ name: "help", command: "tokens" });
    expect(parseCli(["help", "help"])).toEqual({ name: "help", command: "help" });
    expect(parseCli(["help", "--help"])).toEqual({ name: "help", command: "help" });
  });

  it("has a usage text for every command, each starting with its own usage line", () => {
    const commands = [
      "start", "worker", "api", "migrate", "trigger", "jobs", "status", "rollback", "proposals", "approve", "reject",
      "plan", "apply-plan", "discard-plan", "purge-audit", "tokens", "tokens create", "tokens list", "tokens revoke",
      "reembed", "calibrate", "help", "version",
    ];
    for (const command of commands) {
      const text = usageOf(command);
      expect(text.startsWith(`Usage: memcons ${command === "version" ? "--version" : command}`), command).toBe(true);
      expect(text).not.toBe(USAGE);
    }
    expect(usageOf()).toBe(USAGE);
    expect(USAGE).toContain("--version");
    expect(USAGE).toContain("help [<command>]");
    expect(usageOf("rollback")).toContain("--force");
    expect(usageOf("migrate")).toContain("--print");
  });

  it("parses migrate --print with --skip tags of shipped migrations", () => {
    expect(parseCli(["migrate", "--print"])).toEqual({ name: "migrate", print: true, skip: [] });
    const tags = migrationTags();
    expect(tags[0]).toBe("0000_memcons_schema");
    expect(tags.length).toBeGreaterThanOrEqual(4);
    expect(parseCli(["migrate", "--print", "--skip", tags[0]!, "--skip", tags[1]!])).toEqual({
      name: "migrate",
      print: true,
      skip: [tags[0], tags[1]],
    });
  });

  it("names the command in usage errors found after the command is known", () => {
    const error = (argv: string[]) => {
      try {
        parseCli(argv);
      } catch (e) {
        return e as UsageError;
      }
      throw new Error("no error");
    };
    expect(error(["jobs", "--nope"]).command).toBe("jobs");
    expect(error(["tokens", "create"]).command).toBe("tokens create");
    expect(error(["tokens"]).command).toBe("tokens");
    expect(error(["frobnicate"]).command).toBeUndefined();
  });

  it("parses trigger with --wait and repeated --option", () => {
    expect(
      parseCli(["trigger", ID.toUpperCase(), "--wait", "--option", "similarity_threshold=0.85", "-o", "archive_enabled=false", "--option=note=a=b"]),
    ).toEqual({
      name: "trigger",
      projectId: ID,
      wait: true,
      dryRun: false,
      options: { similarity_threshold: 0.85, archive_enabled: false, note: "a=b" },
    });
    expect(parseCli(["trigger", ID])).toMatchObject({ wait: false, dryRun: false, options: {} });
    expect(parseCli(["trigger", ID, "--dry-run"])).toMatchObject({ dryRun: true });
  });

  it("parses the review queue and plan commands", () => {
    expect(parseCli(["proposals", ID])).toEqual({ name: "proposals", projectId: ID, limit: 20, json: false });
    expect(parseCli(["proposals", ID, "--status", "rejected", "--limit", "5", "--json"])).toEqual({
      name: "proposals",
      projectId: ID,
      status: "rejected",
      limit: 5,
      json: true,
    });
    expect(parseCli(["approve", ID, "--wait"])).toEqual({ name: "approve", proposalId: ID, wait: true });
    expect(parseCli(["reject", ID])).toEqual({ name: "reject", proposalId: ID });
    expect(parseCli(["plan", ID, "--kind", "merge"])).toEqual({ name: "plan", jobId: ID, kind: "merge", limit: 20 });
    expect(parseCli(["apply-plan", ID])).toEqual({ name: "apply-plan", jobId: ID, wait: false });
    expect(parseCli(["discard-plan", ID])).toEqual({ name: "discard-plan", jobId: ID });
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
    [["help", "frobnicate"], "Unknown command 'frobnicate'"],
    [["help", "tokens", "burn"], "Unknown command 'tokens burn'"],
    [["--version", "now"], "Unexpected argument"],
    [["migrate", "--skip", "0000_memcons_schema"], "only for 'memcons migrate --print'"],
    [["migrate", "--print", "--skip", "9999_nothing"], "unknown migration '9999_nothing'"],
    [["rollback", ID, "--force=yes"], "does not take an argument"],
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
    [["proposals", ID, "--status", "maybe"], "--status"],
    [["approve"], "needs <proposalId>"],
    [["reject", "nope"], "UUID"],
    [["plan", ID, "--kind", "delete"], "--kind"],
    [["apply-plan", ID, "now"], "Unexpected argument"],
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
