import { type Embedder, runConsolidation } from "@memcons/consolidation-core";
import type { Database } from "@memcons/models";
import { createJobRunner } from "@memcons/scheduler";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { call, createProjectViaApi, eventually, useTestApp } from "./helpers.js";

interface Proposal {
  id: string;
  status: string;
  reason: string;
  member_ids: string[];
  similarities: Array<{ a: string; b: string; similarity: number }>;
  decided_by: string | null;
  applied_job_id: string | null;
}
interface PlanPage {
  plan: { job_id: string; status: string; summary: Record<string, number>; applied_job_id: string | null };
  items: Array<{ position: number; kind: string; memory_ids: string[]; similarities: unknown; detail: Record<string, unknown> }>;
  next_cursor: string | null;
}

const t = useTestApp();

/** Every text the engine embeds points one way; the seeded memories carry their own 3-d vectors. */
const tiny: Embedder = { model: "tiny-3", dimensions: 3, embed: async (texts) => texts.map(() => Float32Array.from([1, 0, 0])) };
const TEXTS: Record<string, string> = {
  a1: "Keep the build green before merging.",
  a2: "Keep the build green before a merge.",
  b1: "Run the linter before every commit.",
  b2: "Run the linter before committing code.",
  c: "Invoices are computed in integer cents.",
};
const VECTORS: Record<string, number[]> = { a1: [1, 0, 0], a2: [1, 0, 0], b1: [0, 1, 0], b2: [0, 0.8, 0.6], c: [0, 0, 1] };

async function seed(db: Database, projectId: string): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const [key, v] of Object.entries(VECTORS)) {
    const [row] = await db.rows<{ id: string }>(
      sql`INSERT INTO memcons.task_memories (project_id, task_id, memory_type, execution_summary, context_embedding, embedding_model, reused_count)
          VALUES (${projectId}::uuid, ${key}, 'learning', ${TEXTS[key] as string}, ${`{${v.join(",")}}`}::real[], 'tiny-3', 5)
          RETURNING id`,
    );
    ids[key] = (row as { id: string }).id;
  }
  return ids;
}

/** Runs queued jobs until `jobId` has finished; returns its status body. */
async function runUntilDone(jobId: string): Promise<{ status: string; memories_merged: number; memories_archived: number }> {
  const runner = createJobRunner({ db: t.db, pollIntervalMs: 50, workerId: `review-${jobId.slice(0, 8)}`, handlers: { consolidation: (job, ctx) => runConsolidation(ctx.db, job.id, { embedder: tiny, signal: ctx.signal }) } });
  await runner.start();
  return eventually(async () => {
    const status = await call<{ status: string; memories_merged: number; memories_archived: number }>(t.app, "GET", `/api/v1/consolidation/status/${jobId}`);
    return ["completed", "failed"].includes(status.body.status) ? status.body : undefined;
  }, 60_000).finally(() => runner.stop({ graceMs: 5_000 }));
}

async function projectWithReviewTier(name: string): Promise<{ projectId: string; ids: Record<string, string> }> {
  const projectId = await createProjectViaApi(t.app, { name });
  const configure = await call(t.app, "POST", `/api/v1/consolidation/configure/${projectId}`, {
    body: { options: { review_threshold: 0.7, archive_enabled: false, promote_enabled: false } },
  });
  expect(configure.status).toBe(200);
  return { projectId, ids: await seed(t.db, projectId) };
}

describe("review queue over HTTP", () => {
  it("lists a borderline proposal, approves it into a job that merges its members, and rolls that job back", async () => {
    const { projectId, ids } = await projectWithReviewTier("review approve");
    const trigger = await call<{ job_id: string }>(t.app, "POST", "/api/v1/consolidation/trigger", { body: { project_id: projectId } });
    expect((await runUntilDone(trigger.body.job_id)).memories_merged).toBe(2);

    const page = await call<{ proposals: Proposal[]; next_cursor: string | null }>(t.app, "GET", `/api/v1/projects/${projectId}/proposals?status=pending`);
    expect(page.status).toBe(200);
    expect(page.body.next_cursor).toBeNull();
    expect(page.body.proposals).toHaveLength(1);
    const proposal = page.body.proposals[0] as Proposal;
    expect(proposal).toMatchObject({ status: "pending", reason: "borderline" });
    expect([...proposal.member_ids].sort()).toEqual([ids.b1, ids.b2].sort());
    expect(proposal.similarities[0]?.similarity).toBeCloseTo(0.8, 4);
    expect((await call<Proposal>(t.app, "GET", `/api/v1/consolidation/proposals/${proposal.id}`)).body.id).toBe(proposal.id);
    const members = await call<{ proposal_id: string; members: Array<{ id: string; execution_summary: string }>; changed_ids: string[]; missing_ids: string[] }>(
      t.app,
      "GET",
      `/api/v1/consolidation/proposals/${proposal.id}/members`,
    );
    expect(members.status).toBe(200);
    expect(members.body.proposal_id).toBe(proposal.id);
    expect(members.body.members.map((m) => m.id)).toEqual(proposal.member_ids);
    expect(members.body.members.map((m) => m.execution_summary).sort()).toEqual([TEXTS.b1, TEXTS.b2].sort());
    expect(members.body).toMatchObject({ changed_ids: [], missing_ids: [] });

    const approved = await call<{ proposal: Proposal; job_id: string; status: string }>(t.app, "POST", `/api/v1/consolidation/proposals/${proposal.id}/approve`);
    expect(approved.status).toBe(202);
    expect(approved.headers.get("location")).toBe(`/api/v1/consolidation/status/${approved.body.job_id}`);
    expect(approved.body.proposal).toMatchObject({ status: "approved", applied_job_id: approved.body.job_id });
    expect(approved.body.proposal.decided_by).toBeTruthy();
    expect((await runUntilDone(approved.body.job_id)).memories_merged).toBe(2);
    const again = await call(t.app, "POST", `/api/v1/consolidation/proposals/${proposal.id}/approve`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: "conflict" });

    const rollback = await call<{ memories_restored: number }>(t.app, "POST", "/api/v1/consolidation/rollback", { body: { consolidation_id: approved.body.job_id } });
    expect(rollback.status).toBe(200);
    expect(rollback.body.memories_restored).toBe(2);
    const [b1] = await t.db.rows<{ is_duplicate: boolean }>(sql`SELECT is_duplicate FROM memcons.task_memories WHERE id = ${ids.b1 as string}::uuid`);
    expect(b1?.is_duplicate).toBe(false);
  });

  it("rejects a proposal (remembered), refuses approval of changed members with their ids, and answers 404 for unknown ids", async () => {
    const { projectId, ids } = await projectWithReviewTier("review reject");
    const trigger = await call<{ job_id: string }>(t.app, "POST", "/api/v1/consolidation/trigger", { body: { project_id: projectId } });
    await runUntilDone(trigger.body.job_id);
    const [proposal] = (await call<{ proposals: Proposal[] }>(t.app, "GET", `/api/v1/projects/${projectId}/proposals`)).body.proposals;

    await t.db.rows(sql`UPDATE memcons.task_memories SET version = version + 1 WHERE id = ${ids.b1 as string}::uuid`);
    const conflict = await call(t.app, "POST", `/api/v1/consolidation/proposals/${proposal?.id}/approve`);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: "conflict", memory_ids: [ids.b1] });
    const changed = await call<{ members: unknown[]; changed_ids: string[]; missing_ids: string[] }>(t.app, "GET", `/api/v1/consolidation/proposals/${proposal?.id}/members`);
    expect(changed.body).toMatchObject({ changed_ids: [ids.b1], missing_ids: [] });
    expect(changed.body.members).toHaveLength(2);

    const rejected = await call<Proposal>(t.app, "POST", `/api/v1/consolidation/proposals/${proposal?.id}/reject`);
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe("rejected");
    const second = await call<{ job_id: string }>(t.app, "POST", "/api/v1/consolidation/trigger", { body: { project_id: projectId } });
    await runUntilDone(second.body.job_id);
    const all = await call<{ proposals: Proposal[] }>(t.app, "GET", `/api/v1/projects/${projectId}/proposals`);
    expect(all.body.proposals.map((p) => p.status)).toEqual(["rejected"]);
    expect((await call(t.app, "GET", `/api/v1/projects/${projectId}/proposals?status=maybe`)).status).toBe(400);

    const missing = "3f1c2a9e-8b7d-4c1e-9a0f-5d2e6b7c8a91";
    for (const [method, path] of [
      ["GET", `/api/v1/consolidation/proposals/${missing}`],
      ["GET", `/api/v1/consolidation/proposals/${missing}/members`],
      ["POST", `/api/v1/consolidation/proposals/${missing}/approve`],
      ["POST", `/api/v1/consolidation/proposals/${missing}/reject`],
      ["GET", `/api/v1/consolidation/plans/${missing}`],
      ["POST", `/api/v1/consolidation/plans/${missing}/apply`],
      ["POST", `/api/v1/consolidation/plans/${missing}/discard`],
      ["GET", `/api/v1/projects/${missing}/proposals`],
    ] as const) {
      const res = await call(t.app, method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toMatchObject({ error: "not_found" });
    }
    expect((await call(t.app, "POST", "/api/v1/consolidation/proposals/nope/approve")).status).toBe(400);
    const badId = await call(t.app, "GET", "/api/v1/consolidation/proposals/nope/members");
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ error: "validation_error" });
  });
});

describe("dry runs over HTTP", () => {
  it("triggers with dry_run, reads the plan page by page, and applies it as a job", async () => {
    const { projectId, ids } = await projectWithReviewTier("dry run apply");
    const before = await t.db.rows(sql`SELECT to_jsonb(t)::text AS row FROM memcons.task_memories t WHERE project_id = ${projectId}::uuid ORDER BY id`);
    const trigger = await call<{ job_id: string }>(t.app, "POST", "/api/v1/consolidation/trigger", { body: { project_id: projectId, dry_run: true } });
    expect(trigger.status).toBe(202);
    const dryRun = trigger.body.job_id;
    expect((await runUntilDone(dryRun)).memories_merged).toBe(0);
    expect(await t.db.rows(sql`SELECT to_jsonb(t)::text AS row FROM memcons.task_memories t WHERE project_id = ${projectId}::uuid ORDER BY id`)).toEqual(before);

    const first = await call<PlanPage>(t.app, "GET", `/api/v1/consolidation/plans/${dryRun}?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.plan).toMatchObject({ job_id: dryRun, status: "ready", summary: { clusters: 1, memories_to_merge: 2, review: 1 } });
    expect(first.body.items.map((i) => i.kind)).toEqual(["merge"]);
    expect([...(first.body.items[0]?.memory_ids ?? [])].sort()).toEqual([ids.a1, ids.a2].sort());
    expect(first.body.next_cursor).not.toBeNull();
    const second = await call<PlanPage>(t.app, "GET", `/api/v1/consolidation/plans/${dryRun}?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body.items.map((i) => i.kind)).toEqual(["review"]);
    expect(second.body.next_cursor).toBeNull();
    const reviews = await call<PlanPage>(t.app, "GET", `/api/v1/consolidation/plans/${dryRun}?kind=review`);
    expect(reviews.body.items.map((i) => i.position)).toEqual([1]);

    const applied = await call<{ plan: PlanPage["plan"]; job_id: string }>(t.app, "POST", `/api/v1/consolidation/plans/${dryRun}/apply`);
    expect(applied.status).toBe(202);
    expect(applied.body.plan).toMatchObject({ status: "applied", applied_job_id: applied.body.job_id });
    expect((await runUntilDone(applied.body.job_id)).memories_merged).toBe(2);
    expect((await call(t.app, "POST", `/api/v1/consolidation/plans/${dryRun}/discard`)).status).toBe(409);
  });

  it("refuses to apply after a conflicting change, with the changed ids, and discards", async () => {
    const { projectId, ids } = await projectWithReviewTier("dry run conflict");
    const trigger = await call<{ job_id: string }>(t.app, "POST", "/api/v1/consolidation/trigger", { body: { project_id: projectId, dry_run: true } });
    await runUntilDone(trigger.body.job_id);
    await t.db.rows(sql`UPDATE memcons.task_memories SET execution_summary = 'Changed.', version = version + 1 WHERE id = ${ids.a1 as string}::uuid`);
    const refused = await call(t.app, "POST", `/api/v1/consolidation/plans/${trigger.body.job_id}/apply`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: "conflict", memory_ids: [ids.a1] });
    const discarded = await call<PlanPage["plan"]>(t.app, "POST", `/api/v1/consolidation/plans/${trigger.body.job_id}/discard`);
    expect(discarded.status).toBe(200);
    expect(discarded.body.status).toBe("discarded");
    expect((await call(t.app, "POST", `/api/v1/consolidation/plans/${trigger.body.job_id}/apply`)).status).toBe(409);
  });
});
