import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase, InvalidDatabaseUrlError, toDate } from "../src/index.js";
import { createTestDatabase, testTargets } from "../src/testing/index.js";

describe("createDatabase", () => {
  it("rejects unknown URL schemes with a typed error that hides the password", async () => {
    const error = await createDatabase("mysql://root:secret@localhost/db").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDatabaseUrlError);
    expect((error as Error).message).toContain("mysql://root:***@localhost/db");
    expect((error as Error).message).not.toContain("secret");
  });

  it("opens a PGlite database in a directory and keeps its data across reopenings", async () => {
    const dir = `${process.env.TMPDIR ?? "/tmp"}/memcons-pglite-${Date.now()}`;
    const first = await createDatabase(`pglite://${dir}`);
    await first.rows(sql`create table kept (v int)`);
    await first.rows(sql`insert into kept values (42)`);
    await first.close();
    const second = await createDatabase(`pglite://${dir}`);
    expect(await second.rows(sql`select v from kept`)).toEqual([{ v: 42 }]);
    await second.close();
  });

  it("converts raw timestamps from either driver", () => {
    expect(toDate("2026-01-01T00:00:00Z")?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(toDate(null)).toBeNull();
  });
});

describe.each(testTargets(process.env.DATABASE_URL))("database on $driver", (target) => {
  it("delivers NOTIFY payloads to listeners until unlisten", async () => {
    const db = await createTestDatabase(target);
    try {
      const received: string[] = [];
      const unlisten = await db.listen("memcons_test", (payload) => received.push(payload));
      await db.notify("memcons_test", "hello");
      await expect.poll(() => received).toEqual(["hello"]);
      await unlisten();
      await db.notify("memcons_test", "ignored");
      await new Promise((r) => setTimeout(r, 50));
      expect(received).toEqual(["hello"]);
    } finally {
      await db.close();
    }
  });

  it("returns raw rows as plain objects and closes twice without error", async () => {
    const db = await createTestDatabase(target);
    expect(await db.rows(sql`select 1::int as one, 'x' as letter`)).toEqual([{ one: 1, letter: "x" }]);
    await db.close();
    await db.close();
  });
});
