import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyVectors, queryRows, ValidationError, vectorJson } from "../src/index.js";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing/index.js";

describe("copyVectors outside a createDatabase transaction", () => {
  it("refuses with ValidationError before sending anything", async () => {
    await expect(copyVectors({} as never, [new Float32Array([1])])).rejects.toBeInstanceOf(ValidationError);
  });
});

describe.each(testTargets(process.env.DATABASE_URL))("copyVectors on $driver", (target) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(target);
  });

  afterAll(async () => {
    await db?.close();
  });

  it("stores each vector at the stored precision, exactly as the text form would, keyed by position", async () => {
    const vectors = [new Float32Array([0.1234567, -0.5, 3e-7, 1]), new Float32Array([0.0883876, 2, -0.25, 1e-6])];
    const asText = vectors.map((v) => JSON.parse(vectorJson(new Float32Array(v))) as string);
    const rows = await db.orm.transaction(async (tx) => {
      const table = await copyVectors(tx, vectors);
      return queryRows<{ k: number; same: boolean; e: string }>(
        tx,
        sql`SELECT x.k, x.e = (CASE x.k WHEN 0 THEN ${asText[0]} ELSE ${asText[1]} END)::real[] AS same, x.e::text AS e
            FROM ${sql.identifier(table)} x ORDER BY x.k`,
      );
    });
    expect(rows.map((r) => [Number(r.k), r.same])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(rows[0]?.e).toBe("{0.123457,-0.5,0,1}");
    // Rounded in place, so the caller keeps what was stored.
    expect(Array.from(vectors[0] as Float32Array)).toEqual(Array.from(new Float32Array([0.123457, -0.5, 0, 1])));
  });

  it("gives each call its own table, empty when there is nothing to send, dropped at commit", async () => {
    const names = await db.orm.transaction(async (tx) => {
      const first = await copyVectors(tx, [new Float32Array(256).fill(0.5)]);
      const second = await copyVectors(tx, []);
      const [counts] = await queryRows<{ a: number; b: number; dims: number }>(
        tx,
        sql`SELECT (SELECT count(*) FROM ${sql.identifier(first)})::int AS a, (SELECT count(*) FROM ${sql.identifier(second)})::int AS b,
              (SELECT array_length(e, 1) FROM ${sql.identifier(first)})::int AS dims`,
      );
      expect(counts).toEqual({ a: 1, b: 0, dims: 256 });
      return [first, second];
    });
    expect(names[0]).not.toBe(names[1]);
    const left = await db.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM pg_class WHERE relname IN (${names[0]}, ${names[1]}) AND relpersistence = 't'`,
    );
    expect(Number(left[0]?.n)).toBe(0);
  });

  it("refuses a non-finite element with ValidationError and leaves the transaction's other work undone", async () => {
    await db.rows(sql`CREATE TABLE IF NOT EXISTS copy_vectors_probe (n int)`);
    await expect(
      db.orm.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO copy_vectors_probe VALUES (1)`);
        await copyVectors(tx, [new Float32Array([1, Number.NaN])]);
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    const [row] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM copy_vectors_probe`);
    expect(Number(row?.n)).toBe(0);
  });
});
