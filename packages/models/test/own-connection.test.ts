import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createDatabase, migrate, projects } from "../src/index.js";
import { createTestDatabase, preferredTarget } from "../src/testing/index.js";

const SLOW = 180_000;

describe("createDatabase with a connection the caller owns", () => {
  it("uses a PGlite instance and leaves it open on close()", async () => {
    const client = await PGlite.create();
    try {
      const db = await createDatabase(client);
      expect(db.driver).toBe("pglite");
      await migrate(db);
      await db.orm.insert(projects).values({ name: "own pglite" });
      await db.close();
      const result = await client.query<{ name: string }>("select name from memcons.projects");
      expect(result.rows).toEqual([{ name: "own pglite" }]);
    } finally {
      await client.close();
    }
  }, SLOW);

  it.runIf(preferredTarget(process.env.DATABASE_URL).driver === "postgres")(
    "uses a postgres.js client and leaves it open on close()",
    async () => {
      const holder = await createTestDatabase({ ...preferredTarget(process.env.DATABASE_URL), migrate: false });
      const client = postgres(holder.url, { max: 2, onnotice: () => {} });
      try {
        const db = await createDatabase(client);
        expect(db.driver).toBe("postgres");
        await migrate(db);
        const [project] = await db.orm.insert(projects).values({ name: "own postgres" }).returning();
        const received: string[] = [];
        const unlisten = await db.listen("memcons_own", (payload) => received.push(payload));
        await db.notify("memcons_own", "hi");
        await expect.poll(() => received).toEqual(["hi"]);
        await unlisten();
        await db.close();
        const rows = await client`select name from memcons.projects where id = ${project!.id}`;
        expect(rows.map((r) => r.name)).toEqual(["own postgres"]);
      } finally {
        await client.end();
        await holder.close();
      }
    },
    SLOW,
  );
});
