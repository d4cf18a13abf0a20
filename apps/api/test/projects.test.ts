import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { call, createProjectViaApi, useTestApp } from "./helpers.js";

const fixture = useTestApp();

describe("POST /api/v1/projects", () => {
  it("creates a project with defaults", async () => {
    const res = await call(fixture.app, "POST", "/api/v1/projects", { body: { name: "payments" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/v1/projects/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: "payments",
      consolidation_enabled: true,
      consolidation_threshold: null,
      consolidation_options: {},
      is_active: true,
    });
    expect(String(res.body.created_at)).toMatch(/Z$/);
  });

  it("accepts consolidation settings", async () => {
    const res = await call(fixture.app, "POST", "/api/v1/projects", {
      body: { name: "search", consolidation_enabled: false, consolidation_threshold: 250 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ consolidation_enabled: false, consolidation_threshold: 250 });
  });

  it("rejects bad input with 400", async () => {
    for (const body of [
      {},
      { name: "   " },
      { name: 3 },
      { name: "a\u0000b" },
      { name: "x", consolidation_threshold: 9 },
      { name: "x", consolidation_threshold: 1001 },
      { name: "x", consolidation_threshold: 50.5 },
      { name: "x", consolidation_enabled: "yes" },
      { name: "x", extra: true },
      [],
      "name",
      null,
    ]) {
      const res = await call(fixture.app, "POST", "/api/v1/projects", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("validation_error");
    }
  });
});

describe("GET /api/v1/projects", () => {
  it("pages through every project exactly once, newest first", async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push(await createProjectViaApi(fixture.app, { name: `paged ${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
      const res = await call<{ projects: Array<{ id: string }>; next_cursor: string | null }>(
        fixture.app,
        "GET",
        `/api/v1/projects${query}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.projects.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.projects.map((p) => p.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of created) expect(seen).toContain(id);
    expect(seen.indexOf(created[6]!)).toBeLessThan(seen.indexOf(created[0]!));
  });

  it("rejects bad limits and cursors", async () => {
    for (const query of ["?limit=0", "?limit=101", "?limit=abc", "?cursor=%%%", "?cursor=eyJ0IjoxfQ"]) {
      const res = await call(fixture.app, "GET", `/api/v1/projects${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toBe("validation_error");
    }
  });
});

describe("GET /api/v1/projects/{id}", () => {
  it("returns the project with memory counts", async () => {
    const id = await createProjectViaApi(fixture.app, { name: "counted" });
    const empty = await call(fixture.app, "GET", `/api/v1/projects/${id}`);
    expect(empty.status).toBe(200);
    expect(empty.body.memory_counts).toEqual({ active: 0, archived: 0, duplicate: 0, total: 0 });
    const ingest = await call(fixture.app, "POST", `/api/v1/projects/${id}/memories`, {
      body: {
        memories: [
          { memory_type: "discovery", execution_summary: "The cache is keyed by tenant." },
          { memory_type: "decision", execution_summary: "We chose keyset pagination." },
        ],
      },
    });
    expect(ingest.status).toBe(201);
    const res = await call(fixture.app, "GET", `/api/v1/projects/${id}`);
    expect(res.body).toMatchObject({ id, name: "counted", memory_counts: { active: 2, archived: 0, duplicate: 0, total: 2 } });
  });

  it("answers 404 for an unknown project", async () => {
    const res = await call(fixture.app, "GET", `/api/v1/projects/${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
  });
});

describe("POST /api/v1/consolidation/configure/{project_id}", () => {
  it("updates enabled, threshold and merges options", async () => {
    const id = await createProjectViaApi(fixture.app, { name: "configured" });
    const first = await call(fixture.app, "POST", `/api/v1/consolidation/configure/${id}`, {
      body: { enabled: false, threshold: 500, options: { similarity_threshold: 0.8 } },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id,
      consolidation_enabled: false,
      consolidation_threshold: 500,
      consolidation_options: { similarity_threshold: 0.8 },
    });
    const second = await call(fixture.app, "POST", `/api/v1/consolidation/configure/${id}`, {
      body: { threshold: null, options: { archive_enabled: false } },
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      consolidation_enabled: false,
      consolidation_threshold: null,
      consolidation_options: { similarity_threshold: 0.8, archive_enabled: false },
    });
    expect(Date.parse(String(second.body.updated_at))).toBeGreaterThanOrEqual(Date.parse(String(first.body.updated_at)));
  });

  it("rejects values outside the design's ranges", async () => {
    const id = await createProjectViaApi(fixture.app);
    for (const body of [
      { threshold: 5 },
      { threshold: 2000 },
      { enabled: 1 },
      { options: { similarity_threshold: 1.5 } },
      { options: { min_cluster_size: 1 } },
      { options: { unknown_option: true } },
      { options: "fast" },
      { extra: 1 },
    ]) {
      const res = await call(fixture.app, "POST", `/api/v1/consolidation/configure/${id}`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("validation_error");
    }
  });

  it("answers 404 for an unknown project", async () => {
    const res = await call(fixture.app, "POST", `/api/v1/consolidation/configure/${randomUUID()}`, { body: { enabled: true } });
    expect(res.status).toBe(404);
  });
});
