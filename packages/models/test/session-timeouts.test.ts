import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase, sessionSettings, ValidationError } from "../src/index.js";

const url = process.env.DATABASE_URL;

describe("session settings", () => {
  it("sends the given timeouts as whole milliseconds and rejects negative ones", () => {
    expect(sessionSettings({ statementTimeoutMs: 1500.7, lockTimeoutMs: 500, idleInTransactionTimeoutMs: 2000 })).toEqual({
      application_name: "memcons",
      statement_timeout: "1500",
      lock_timeout: "500",
      idle_in_transaction_session_timeout: "2000",
    });
    expect(sessionSettings({ applicationName: "x" })).toEqual({ application_name: "x" });
    expect(() => sessionSettings({ lockTimeoutMs: -1 })).toThrow(ValidationError);
  });
});

describe.runIf(url)("session timeouts on PostgreSQL", () => {
  it("sets statement, lock and idle-in-transaction timeouts on every pooled connection", async () => {
    const db = await createDatabase(url as string, {
      maxConnections: 2,
      statementTimeoutMs: 300,
      lockTimeoutMs: 200,
      idleInTransactionTimeoutMs: 400,
    });
    try {
      const [row] = await db.rows<{ s: string; l: string; i: string }>(
        sql`select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l,
                   current_setting('idle_in_transaction_session_timeout') as i`,
      );
      expect(row).toEqual({ s: "300ms", l: "200ms", i: "400ms" });
      const error = await db.rows(sql`select pg_sleep(2)`).catch((e: unknown) => e);
      expect((error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code).toBe("57014");
    } finally {
      await db.close();
    }
  });
});
