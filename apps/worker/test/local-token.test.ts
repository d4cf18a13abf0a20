import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localAdminToken, localTokenFile } from "../src/serve/local-token.js";

const dir = mkdtempSync(join(tmpdir(), "memcons-token-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("local admin token of memcons start", () => {
  it("lives next to an embedded database directory only", () => {
    expect(localTokenFile(`pglite://${dir}/db`)).toBe(`${dir}/db.admin-token`);
    expect(localTokenFile("pglite://memory")).toBeNull();
    expect(localTokenFile("postgres://localhost/db")).toBeNull();
  });

  it("is generated once, kept private, and reused", () => {
    const file = `${dir}/db.admin-token`;
    const first = localAdminToken(file);
    expect(first.stored).toBe(true);
    expect(first.token.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(localAdminToken(file)).toEqual(first);
    const ephemeral = localAdminToken(null);
    expect(ephemeral.stored).toBe(false);
    expect(ephemeral.token).not.toBe(first.token);
  });
});
