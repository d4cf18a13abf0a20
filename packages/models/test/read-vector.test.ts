import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readVector } from "../src/index.js";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing/index.js";

describe.each(testTargets(process.env.DATABASE_URL))("readVector on what $driver sends for array_send(real[])", (target) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(target);
  });

  afterAll(async () => {
    await db?.close();
  });

  async function sent(literal: string): Promise<Uint8Array> {
    const [row] = await db.rows<{ bytes: Uint8Array }>(sql`select array_send(${literal}::real[]) as bytes`);
    return row?.bytes as Uint8Array;
  }

  it("copies the elements into the target at the offset, exactly as stored", async () => {
    const target = new Float32Array(5);
    expect(readVector(await sent("{0.25,-1,3e-05}"), target, 2, 3)).toBe(true);
    expect(Array.from(target)).toEqual([0, 0, ...Array.from(new Float32Array([0.25, -1, 3e-5]))]);
  });

  it("refuses another length, a NULL or non-finite element, and more than one dimension", async () => {
    const target = new Float32Array(4);
    expect(readVector(await sent("{1,2,3}"), target, 0, 4)).toBe(false);
    expect(readVector(await sent("{1,NULL,3,4}"), target, 0, 4)).toBe(false);
    expect(readVector(await sent("{1,NaN,3,4}"), target, 0, 4)).toBe(false);
    expect(readVector(await sent("{1,Infinity,3,4}"), target, 0, 4)).toBe(false);
    expect(readVector(await sent("{{1,2},{3,4}}"), target, 0, 4)).toBe(false);
  });
});
