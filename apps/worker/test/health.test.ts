import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { consolidationJobs, projects } from "@memcons/models";
import { createTestDatabase, preferredTarget, type TestDatabase } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHealthApp } from "../src/worker/health.js";
import { listenHttp } from "../src/common/http.js";
import { createWorkerMetrics } from "../src/worker/metrics.js";

const target = preferredTarget(process.env.DATABASE_URL);

describe(`health server and metrics (${target.driver})`, () => {
  let db: TestDatabase;
  let projectId: string;

  beforeAll(async () => {
    db = await createTestDatabase(target);
    const [project] = await db.orm.insert(projects).values({ name: "metrics" }).returning();
    projectId = project!.id;
  });
  afterAll(async () => {
    await db.close();
  });

  it("answers /healthz and /readyz", async () => {
    let draining = false;
    const app = createHealthApp({ db, isDraining: () => draining });
    const health = await app.request("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", migrations: "current" });
    draining = true;
    expect((await app.request("/readyz")).status).toBe(503);
    expect((await app.request("/nope")).status).toBe(404);
  });

  it("reports not ready when migrations are missing", async () => {
    const bare = await createTestDatabase({ ...target, migrate: false });
    try {
      const response = await createHealthApp({ db: bare }).request("/readyz");
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: "not_ready" });
    } finally {
      await bare.close();
    }
  });

  it("reports not ready when the database is closed", async () => {
    const other = await createTestDatabase(target);
    await other.close();
    const response = await createHealthApp({ db: other }).request("/readyz");
    expect(response.status).toBe(503);
    expect((await response.json()) as { message: string }).toMatchObject({ error: "not_ready" });
  });

  it("exposes queue gauges, duration histogram and memory counters in Prometheus format", async () => {
    const now = Date.now();
    await db.orm.insert(consolidationJobs).values([
      {
        projectId,
        status: "completed",
        triggerType: "manual",
        startedAt: new Date(now - 4000),
        completedAt: new Date(now - 1000),
        durationSeconds: 3,
        memoriesMerged: 7,
        memoriesArchived: 2,
        memoriesPromoted: 1,
        summariesCreated: 3,
        progress: 1,
      },
      { projectId, status: "pending", triggerType: "threshold", runAt: new Date(now - 60_000) },
    ]);
    const [completed] = await db.rows<{ id: string }>(sql`select id from consolidation_jobs where status = 'completed'`);
    const events = new EventEmitter();
    const metrics = createWorkerMetrics({ db, runningJobs: () => 1 });
    const unfollow = metrics.follow(events);
    events.emit("event", { type: "progress", job_id: completed!.id });
    events.emit("event", { type: "completed", job_id: completed!.id });
    metrics.leaseReclaims.inc();
    await sleep(200);
    unfollow();

    const app = createHealthApp({ db, metrics });
    const response = await app.request("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain('memcons_jobs{status="completed",trigger_type="manual"} 1');
    expect(text).toContain('memcons_jobs{status="pending",trigger_type="threshold"} 1');
    expect(text).toContain("memcons_queue_depth 1");
    expect(text).toMatch(/memcons_oldest_pending_job_age_seconds (5\d|6\d|[7-9]\d)(\.\d+)?\n/);
    expect(text).toContain('memcons_job_duration_seconds_count{status="completed",trigger_type="manual"} 1');
    expect(text).toContain('memcons_job_duration_seconds_sum{status="completed",trigger_type="manual"} 3');
    expect(text).toContain("memcons_memories_merged_total 7");
    expect(text).toContain("memcons_memories_archived_total 2");
    expect(text).toContain("memcons_memories_promoted_total 1");
    expect(text).toContain("memcons_summaries_created_total 3");
    expect(text).toContain("memcons_lease_reclaims_total 1");
    expect(text).toContain("memcons_worker_running_jobs 1");
    expect(text).toContain("memcons_database_up 1");
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("serves the app over HTTP on an ephemeral port and closes", async () => {
    const server = await listenHttp("health server", createHealthApp({ db }).fetch, 0, "127.0.0.1");
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    await expect(listenHttp("second server", createHealthApp({ db }).fetch, server.port, "127.0.0.1")).rejects.toThrow(
      /already in use/,
    );
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
