import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ASYNC_COMMIT, createDatabase } from "../src/index.js";
import { createTestDatabase, testTargets } from "../src/testing/index.js";

const url = process.env.DATABASE_URL;

describe.runIf(url)("prepared statements on PostgreSQL", () => {
  const preparedCount = sql`select count(*)::int as n from pg_prepared_statements`;

  it("keeps a statement asked to be prepared on the connection and gives the same rows", async () => {
    const db = await createDatabase(url as string, { maxConnections: 1 });
    try {
      const query = (n: number) => sql`select ${n}::int as n, ${[1, 2, 3].map(String).join(",")} as list`;
      expect(await db.rows(query(7))).toEqual([{ n: 7, list: "1,2,3" }]);
      const [{ n: before } = { n: 0 }] = await db.rows<{ n: number }>(preparedCount);
      expect(await db.rows(query(7), { prepare: true })).toEqual([{ n: 7, list: "1,2,3" }]);
      expect(await db.rows(query(8), { prepare: true })).toEqual([{ n: 8, list: "1,2,3" }]);
      const [{ n } = { n: 0 }] = await db.rows<{ n: number }>(preparedCount);
      expect(n).toBe(before + 1); // one text, prepared once, reused
    } finally {
      await db.close();
    }
  });

  it("sends NOTIFY as one prepared statement, reused for every channel and payload", async () => {
    const db = await createDatabase(url as string, { maxConnections: 1 });
    try {
      const received: string[] = [];
      const unlisten = await db.listen("prepared_notify", (payload) => received.push(payload));
      const [{ n: before } = { n: 0 }] = await db.rows<{ n: number }>(preparedCount);
      for (const payload of ["one", "two", "three"]) await db.notify("prepared_notify", payload);
      await db.notify("prepared_notify_other", "four");
      const [{ n } = { n: 0 }] = await db.rows<{ n: number }>(preparedCount);
      expect(n).toBe(before + 1);
      await expect.poll(() => received).toEqual(["one", "two", "three"]);
      await unlisten();
    } finally {
      await db.close();
    }
  });

  it("lets a notifying statement commit without a WAL flush, and only that statement", async () => {
    const db = await createDatabase(url as string, { maxConnections: 1 });
    try {
      const setting = sql`current_setting('synchronous_commit')`;
      const [during] = await db.rows<{ setting: string }>(sql`select ${ASYNC_COMMIT} as commit, ${setting} as setting`, { prepare: true });
      expect(during?.setting).toBe("off");
      // The one connection's next statements (the queue's writes) still wait for their commit to be flushed.
      const [after] = await db.rows<{ setting: string }>(sql`select ${setting} as setting`);
      expect(after?.setting).toBe("on");
      await db.notify("async_notify", "payload");
      expect(await db.rows<{ setting: string }>(sql`select ${setting} as setting`)).toEqual([{ setting: "on" }]);
    } finally {
      await db.close();
    }
  });

  it("prepares nothing with preparedStatements: false (for poolers that cannot keep them)", async () => {
    const db = await createDatabase(url as string, { maxConnections: 1, preparedStatements: false });
    try {
      const [{ n: before } = { n: 0 }] = await db.rows<{ n: number }>(preparedCount);
      expect(await db.rows(sql`select ${5}::int as n`, { prepare: true })).toEqual([{ n: 5 }]);
      expect(await db.rows(sql`select ${6}::int as n`, { prepare: true })).toEqual([{ n: 6 }]);
      await db.notify("unprepared_notify", "payload");
      expect(await db.rows<{ n: number }>(preparedCount)).toEqual([{ n: before }]);
    } finally {
      await db.close();
    }
  });
});

describe.each(testTargets(url))("rows with prepare on $driver", (target) => {
  it("returns the same rows as without it", async () => {
    const db = await createTestDatabase(target);
    try {
      const query = sql`select ${"a"}::text as letter, ${2}::int as two`;
      expect(await db.rows(query, { prepare: true })).toEqual([{ letter: "a", two: 2 }]);
    } finally {
      await db.close();
    }
  });
});
