import { describe, expect, it } from "vitest";
import {
  isTransientDbError,
  isUuid,
  MEMCONS_ERROR_CODES,
  uuidArray,
  ValidationError,
  MemconsError,
  parseVector,
  parseVectorInto,
  redactUrl,
  roundVector,
  sqlState,
  vectorJson,
} from "../src/index.js";

describe("shared helpers", () => {
  it("isUuid accepts UUIDs in any case and nothing else", () => {
    expect(isUuid("6F1C2B3A-0000-4000-8000-000000000001")).toBe(true);
    expect(isUuid("6f1c2b3a-0000-4000-8000-00000000000")).toBe(false);
    expect(isUuid(" 6f1c2b3a-0000-4000-8000-000000000001")).toBe(false);
    expect(isUuid(42)).toBe(false);
    expect(isUuid(undefined)).toBe(false);
  });

  it("uuidArray passes ids as one uuid[] parameter and refuses anything that is not a UUID", () => {
    const a = "6f1c2b3a-0000-4000-8000-000000000001";
    const b = "6f1c2b3a-0000-4000-8000-000000000002";
    const chunks = JSON.stringify(uuidArray([a, b]).queryChunks);
    expect(chunks).toContain(`{${a},${b}}`);
    expect(() => uuidArray([a, `${b},${a}`])).toThrow(ValidationError);
    expect(() => uuidArray(["not-a-uuid"])).toThrow(/Invalid id 'not-a-uuid': expected a UUID/);
  });

  it("vectorJson rounds to the stored precision and parseVector reads it back, braced or not", () => {
    const v = new Float32Array([0.1234567, -2, 3e-7, 0.5]);
    const literal = JSON.parse(vectorJson(v)) as string;
    expect(literal).toBe("{123457e-6,-2000000e-6,0e-6,500000e-6}");
    expect(Array.from(v)).toEqual(Array.from(roundVector(new Float32Array([0.1234567, -2, 3e-7, 0.5]))));
    expect(Array.from(parseVector(literal) ?? [])).toEqual(Array.from(v));
    expect(Array.from(parseVector("0.25,-1,3e-05") ?? [])).toEqual(Array.from(new Float32Array([0.25, -1, 3e-5])));
    expect(parseVector("{}")).toEqual(new Float32Array(0));
    expect(JSON.parse(vectorJson(new Float32Array(0)))).toBe("{}");
  });

  it("parseVector refuses vectors with elements that are not finite numbers", () => {
    expect(parseVector("{0.1,NaN,0.3}")).toBeNull();
    expect(parseVector("{0.1,Infinity}")).toBeNull();
    expect(parseVector("{NULL,0.2}")).toBeNull();
    const into = new Float32Array(5);
    expect(parseVectorInto("1,2", into, 3)).toBe(true);
    expect(Array.from(into)).toEqual([0, 0, 0, 1, 2]);
  });

  it("sqlState finds the SQLSTATE along the cause chain; isTransientDbError walks the same chain", () => {
    const wrapped = new Error("insert failed", { cause: { code: "23503" } });
    expect(sqlState(wrapped)).toBe("23503");
    expect(sqlState(new Error("plain"))).toBeUndefined();
    expect(sqlState({ code: "ECONNRESET" })).toBeUndefined();
    expect(isTransientDbError(new Error("x", { cause: { code: "40001" } }))).toBe(true);
    expect(isTransientDbError(new Error("x", { cause: { code: "ECONNRESET" } }))).toBe(true);
    expect(isTransientDbError(wrapped)).toBe(false);
  });

  it("redactUrl hides the password and keeps the rest", () => {
    expect(redactUrl("postgres://memcons:s3cret@db:5432/memcons")).toBe("postgres://memcons:***@db:5432/memcons");
    expect(redactUrl("pglite://./.data/memcons")).toBe("pglite://./.data/memcons");
  });

  it("every error code is listed once, and MemconsError carries one", () => {
    expect(new Set(MEMCONS_ERROR_CODES).size).toBe(MEMCONS_ERROR_CODES.length);
    expect(new MemconsError("not_found", "missing").code).toBe("not_found");
  });
});
