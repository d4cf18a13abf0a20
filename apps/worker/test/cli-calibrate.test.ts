import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCli } from "../src/cli/parse.js";
import { cli } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "memcons-calibrate-"));
const PAIRS = [
  "text_a\ttext_b\tlabel",
  "Fixed the login timeout by awaiting the commit.\tFixed the login timeout by awaiting the commit!\t1",
  "It isn't a good idea to read the whole file.\tIt is not a good idea to read the whole file.\t1",
  "Two workers failed after the lease expired.\t2 workers failed after the lease expired.\t1",
  "Chose Postgres full text search for the catalog.\tPicked Elasticsearch to index the product catalog.\t1",
  "Use port 5432 for the test database.\tUse port 5433 for the test database.\t0",
  "Fixed the login timeout in the auth service.\tArchived stale reports in the billing service.\t0",
].join("\n");

describe("memcons calibrate", () => {
  const file = join(dir, "pairs.tsv");
  writeFileSync(file, PAIRS);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("parses its flags and rejects bad ones", () => {
    expect(parseCli(["calibrate", "--pairs", "p.tsv"])).toEqual({ name: "calibrate", pairsFile: "p.tsv", precision: 0.98, reviewPrecision: 0.5, json: false });
    expect(parseCli(["calibrate", "--pairs", "p.tsv", "--precision", "0.9", "--review-precision", "0.6", "--json"])).toMatchObject({ precision: 0.9, reviewPrecision: 0.6, json: true });
    expect(() => parseCli(["calibrate"])).toThrow(/--pairs/);
    expect(() => parseCli(["calibrate", "--pairs", "p.tsv", "--precision", "1.5"])).toThrow(/--precision/);
  });

  it("prints precision, recall and F1 by threshold and the thresholds for the configured embedder", async () => {
    const { code, stdout } = await cli(["calibrate", "--pairs", file], { HASHING_EMBEDDER_VERSION: "2" });
    expect(code).toBe(0);
    expect(stdout).toContain("embedder hashing-v2-256: 6 pairs, 4 labelled same");
    expect(stdout).toContain("1 kept apart by the contradiction guard");
    expect(stdout).toMatch(/^0\.99 {7}1\.0000 {5}0\.7500 {2}/m);
    expect(stdout).toMatch(/^similarity_threshold: 0\.\d\d \(precision ≥ 0\.98 from there on\)$/m);
  });

  it("prints JSON with --json, with the configured embedder's model", async () => {
    const v1 = await cli(["calibrate", "--pairs", file, "--json"], { HASHING_EMBEDDER_VERSION: "1" });
    const v2 = await cli(["calibrate", "--pairs", file, "--json"], { HASHING_EMBEDDER_VERSION: "2" });
    const byDefault = await cli(["calibrate", "--pairs", file, "--json"]);
    const [a, b] = [JSON.parse(v1.stdout), JSON.parse(v2.stdout)];
    expect(JSON.parse(byDefault.stdout).embedder).toBe("hashing-v3-256");
    expect(a.embedder).toBe("hashing-v1-256");
    expect(b.embedder).toBe("hashing-v2-256");
    expect(b.scores).toHaveLength(50);
    // v2 normalizes the contraction and the number word, so it merges more true pairs at the top threshold.
    expect(b.scores.at(-1).recall).toBeGreaterThan(a.scores.at(-1).recall);
  });

  it("fails with the line number on a malformed pairs file, and on a missing file", async () => {
    const bad = join(dir, "bad.tsv");
    writeFileSync(bad, "a\tb\t1\nonly one field\n");
    const malformed = await cli(["calibrate", "--pairs", bad]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain("bad.tsv:2: expected text<TAB>text<TAB>label");
    const missing = await cli(["calibrate", "--pairs", join(dir, "nope.tsv")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read");
  });
});
