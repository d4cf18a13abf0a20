import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DatabaseInUseError, lockEmbeddedDatabase } from "../src/common/pglite-lock.js";

const dir = mkdtempSync(join(tmpdir(), "memcons-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("embedded database lock", () => {
  it("is only taken for PGlite directories", () => {
    expect(lockEmbeddedDatabase("pglite://memory")).toBeNull();
    expect(lockEmbeddedDatabase("postgres://localhost/db")).toBeNull();
  });

  it("creates the parent directory of a fresh location", () => {
    const release = lockEmbeddedDatabase(`pglite://${dir}/fresh/nested/db`)!;
    expect(existsSync(`${dir}/fresh/nested/db.lock`)).toBe(true);
    release();
  });

  it("holds the pid, refuses a live owner, takes over a dead one, and is released", () => {
    const url = `pglite://${dir}/db`;
    const lockFile = `${dir}/db.lock`;
    const release = lockEmbeddedDatabase(url)!;
    expect(readFileSync(lockFile, "utf8").trim()).toBe(String(process.pid));
    release();
    expect(existsSync(lockFile)).toBe(false);

    writeFileSync(lockFile, `${process.ppid}\n`);
    expect(() => lockEmbeddedDatabase(url)).toThrow(DatabaseInUseError);
    expect(() => lockEmbeddedDatabase(url)).toThrow(`in use by process ${process.ppid}`);

    const dead = spawnSync(process.execPath, ["-e", "process.pid"]).pid!;
    writeFileSync(lockFile, `${dead}\n`);
    const again = lockEmbeddedDatabase(url)!;
    expect(readFileSync(lockFile, "utf8").trim()).toBe(String(process.pid));
    again();
  });
});
