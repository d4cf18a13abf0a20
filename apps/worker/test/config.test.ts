import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../src/common/config.js";
import { describeConfigVariables } from "../src/common/config-docs.js";

const TOKEN = "local-admin-token-0123456789";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies the documented defaults to an empty environment", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      databaseUrl: "pglite://./.data/memcons",
      schedule: "0 2 * * *",
      timezone: "UTC",
      threshold: 100,
      jobTimeoutMs: 600_000,
      auditRetentionDays: 90,
      auditPurgeSchedule: "30 3 * * *",
      concurrency: 2,
      jobThreads: undefined,
      leaseMs: 30_000,
      heartbeatMs: 10_000,
      pollIntervalMs: 2_000,
      shutdownGraceMs: 20_000,
      migrateOnStart: true,
      databasePreparedStatements: true,
      host: "0.0.0.0",
      healthPort: 9090,
      apiPort: 8080,
      adminTokens: [],
      embedder: { provider: "hashing" },
      synthesizer: { provider: "extractive" },
      judge: null,
      logLevel: "info",
    });
    expect(c.workerId).toMatch(/-\d+$/);
  });

  it("reads every variable it documents", () => {
    const c = loadConfig({
      DATABASE_URL: "postgres://u:p@db:5432/memcons",
      DATABASE_MAX_CONNECTIONS: "20",
      CONSOLIDATION_SCHEDULE: "*/5 * * * *",
      CONSOLIDATION_TIMEZONE: "Europe/Paris",
      CONSOLIDATION_THRESHOLD: "250",
      CONSOLIDATION_TIMEOUT: "120",
      CONSOLIDATION_CATCH_UP_MS: "3600000",
      AUDIT_RETENTION_DAYS: "30",
      AUDIT_PURGE_SCHEDULE: "0 4 * * 0",
      WORKER_CONCURRENCY: "4",
      WORKER_JOB_THREADS: "2",
      WORKER_ID: "worker-a",
      WORKER_LEASE_MS: "5000",
      WORKER_HEARTBEAT_MS: "1000",
      WORKER_POLL_MS: "500",
      SHUTDOWN_GRACE_MS: "1000",
      MIGRATE_ON_START: "false",
      DATABASE_PREPARED_STATEMENTS: "false",
      HOST: "127.0.0.1",
      PORT: "0",
      API_PORT: "3000",
      API_ADMIN_TOKENS: ` ${TOKEN} , second-token-abcdefghij ,`,
      API_BODY_LIMIT_BYTES: "1048576",
      EMBEDDER_PROVIDER: "openai",
      SYNTHESIZER_PROVIDER: "openai",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      OPENAI_API_KEY: "sk-test",
      OPENAI_TIMEOUT_MS: "5000",
      EMBEDDING_MODEL: "nomic-embed-text",
      EMBEDDING_DIMENSIONS: "768",
      SYNTHESIS_MODEL: "llama3",
      JUDGE_MODEL: "qwen2.5",
      LOG_LEVEL: "debug",
    });
    expect(c).toMatchObject({
      databaseUrl: "postgres://u:p@db:5432/memcons",
      databaseMaxConnections: 20,
      schedule: "*/5 * * * *",
      timezone: "Europe/Paris",
      threshold: 250,
      jobTimeoutMs: 120_000,
      catchUpWindowMs: 3_600_000,
      auditRetentionDays: 30,
      auditPurgeSchedule: "0 4 * * 0",
      concurrency: 4,
      jobThreads: 2,
      workerId: "worker-a",
      leaseMs: 5000,
      heartbeatMs: 1000,
      pollIntervalMs: 500,
      shutdownGraceMs: 1000,
      migrateOnStart: false,
      databasePreparedStatements: false,
      host: "127.0.0.1",
      healthPort: 0,
      apiPort: 3000,
      adminTokens: [TOKEN, "second-token-abcdefghij"],
      bodyLimitBytes: 1_048_576,
      embedder: {
        provider: "openai",
        baseUrl: "http://127.0.0.1:11434/v1",
        apiKey: "sk-test",
        model: "nomic-embed-text",
        dimensions: 768,
        timeoutMs: 5000,
      },
      synthesizer: { provider: "openai", baseUrl: "http://127.0.0.1:11434/v1", model: "llama3", apiKey: "sk-test" },
      judge: { baseUrl: "http://127.0.0.1:11434/v1", model: "qwen2.5", apiKey: "sk-test", timeoutMs: 5000 },
      logLevel: "debug",
    });
  });

  it("selects the hashing embedder's feature set with HASHING_EMBEDDER_VERSION", () => {
    expect(loadConfig({ HASHING_EMBEDDER_VERSION: "2", EMBEDDING_DIMENSIONS: "512" }).embedder).toEqual({
      provider: "hashing",
      version: 2,
      dimensions: 512,
    });
    expect(loadConfig({ HASHING_EMBEDDER_VERSION: "1" }).embedder).toEqual({ provider: "hashing", version: 1 });
    expect(loadConfig({ HASHING_EMBEDDER_VERSION: "3" }).embedder).toEqual({ provider: "hashing" });
    expect(loadConfig({}).embedder).toEqual({ provider: "hashing" });
    expect(configError({ HASHING_EMBEDDER_VERSION: "4" }).message).toContain("HASHING_EMBEDDER_VERSION");
  });

  it("accepts AUDIT_RETENTION_DAYS=0 to keep audit rows forever", () => {
    expect(loadConfig({ AUDIT_RETENTION_DAYS: "0" }).auditRetentionDays).toBe(0);
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ CONSOLIDATION_THRESHOLD: "", PORT: "  " })).toMatchObject({ threshold: 100, healthPort: 9090 });
  });

  it.each([
    ["CONSOLIDATION_THRESHOLD", "9"],
    ["CONSOLIDATION_THRESHOLD", "1001"],
    ["CONSOLIDATION_THRESHOLD", "ten"],
    ["CONSOLIDATION_THRESHOLD", "50.5"],
    ["CONSOLIDATION_TIMEOUT", "59"],
    ["CONSOLIDATION_TIMEOUT", "3601"],
    ["CONSOLIDATION_TIMEZONE", "Mars/Olympus"],
    ["DATABASE_URL", "mysql://localhost/db"],
    ["WORKER_CONCURRENCY", "0"],
    ["WORKER_JOB_THREADS", "0"],
    ["WORKER_JOB_THREADS", "1.5"],
    ["PORT", "70000"],
    ["API_PORT", "-1"],
    ["MIGRATE_ON_START", "maybe"],
    ["EMBEDDER_PROVIDER", "cohere"],
    ["SYNTHESIZER_PROVIDER", "gpt"],
    ["LOG_LEVEL", "verbose"],
    ["OPENAI_BASE_URL", "ftp://example.com"],
    ["API_ADMIN_TOKENS", "short"],
    ["AUDIT_RETENTION_DAYS", "6"],
    ["AUDIT_RETENTION_DAYS", "-1"],
  ])("rejects %s=%s naming the variable", (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.code).toBe("config_error");
  });

  it("rejects a heartbeat that is not shorter than the lease", () => {
    const error = configError({ WORKER_LEASE_MS: "5000", WORKER_HEARTBEAT_MS: "5000" });
    expect(error.variable).toBe("WORKER_HEARTBEAT_MS");
  });

  it("derives session timeouts below the lease and refuses ones that are not", () => {
    expect(loadConfig({ WORKER_LEASE_MS: "6000", WORKER_HEARTBEAT_MS: "1000" }).databaseTimeouts).toEqual({
      statementTimeoutMs: 3000,
      lockTimeoutMs: 2000,
      idleInTransactionTimeoutMs: 3000,
    });
    expect(loadConfig({}).outageLimitMs).toBe(60_000);
    const c = loadConfig({ DATABASE_LOCK_TIMEOUT_MS: "500", WORKER_OUTAGE_LIMIT_MS: "0" });
    expect(c.databaseTimeouts.lockTimeoutMs).toBe(500);
    expect(c.outageLimitMs).toBe(0);
    for (const variable of [
      "DATABASE_STATEMENT_TIMEOUT_MS",
      "DATABASE_LOCK_TIMEOUT_MS",
      "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
    ]) {
      expect(configError({ WORKER_LEASE_MS: "5000", WORKER_HEARTBEAT_MS: "1000", [variable]: "5000" }).variable).toBe(variable);
    }
  });

  it("accepts the boolean spellings", () => {
    for (const [raw, value] of [["1", true], ["yes", true], ["TRUE", true], ["0", false], ["off", false]] as const) {
      expect(loadConfig({ MIGRATE_ON_START: raw }).migrateOnStart).toBe(value);
    }
  });

  it("describes every variable, with its default, for the generated configuration page", () => {
    const docs = describeConfigVariables();
    expect(docs.map((d) => d.name)).toEqual([...CONFIG_VARIABLES]);
    expect(CONFIG_VARIABLES.length).toBeGreaterThanOrEqual(28);
    for (const d of docs) expect(d.description.length).toBeGreaterThan(10);
    expect(docs.find((d) => d.name === "WORKER_CONCURRENCY")?.defaultValue).toBe("2");
    expect(docs.find((d) => d.name === "OPENAI_API_KEY")?.defaultValue).toBeUndefined();
    const page = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");
    for (const name of CONFIG_VARIABLES) expect(page).toContain(`| \`${name}\` |`);
  });
});
