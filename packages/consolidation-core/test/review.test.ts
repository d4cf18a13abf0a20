import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  approveProposal,
  createOpenAIJudge,
  getProposal,
  listProposals,
  MemoriesChangedError,
  ProjectBusyError,
  ProposalDecidedError,
  ProposalNotFoundError,
  rejectProposal,
  rollbackJob,
  runConsolidation,
} from "../src/index.js";
import { createJob, createProject } from "../src/testing/index.js";
import { finishJob, memory, snapshot } from "./helpers.js";
import { comparable, enqueueInto, proposalsOf, seedReviewFixture, tinyEmbedder } from "./review-helpers.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;
const REVIEW = { review_threshold: 0.7, archive_enabled: false, promote_enabled: false };
const FAST_RETRY = { retries: 1, factor: 1, minTimeoutMs: 5, maxTimeoutMs: 10, jitter: false };

/** Runs a job to the end the way the runner would, with the tiny embedder. */
async function runJob(db: Db, jobId: string, deps: Parameters<typeof runConsolidation>[2] = {}) {
  const result = await runConsolidation(db, jobId, { embedder: tinyEmbedder, ...deps });
  await finishJob(db, jobId);
  return result;
}

/** A local OpenAI-compatible chat server whose verdict `answer` decides from the prompt. */
async function fakeChatServer(answer: (prompt: string) => { status: number; body: unknown }) {
  const prompts: string[] = [];
  const server: Server = createServer((req, res) => {
    let data = "";
    req.on("data", (chunk: Buffer) => {
      data += chunk.toString();
    });
    req.on("end", () => {
      const body = JSON.parse(data) as { messages: Array<{ role: string; content: string }> };
      const prompt = body.messages.find((m) => m.role === "user")?.content ?? "";
      prompts.push(prompt);
      const { status, body: reply } = answer(prompt);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    prompts,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const verdict = (v: "approve" | "reject", rationale: string) => ({
  status: 200,
  body: { choices: [{ message: { content: JSON.stringify({ verdict: v, rationale }) } }] },
});

describe.each(testTargets(process.env.DATABASE_URL))("review proposals on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("turns a borderline pair into a pending proposal and merges only the tight cluster", async () => {
    const projectId = await createProject(db, { options: REVIEW });
    const ids = await seedReviewFixture(db, projectId);
    const jobId = await createJob(db, projectId);
    const result = await runJob(db, jobId);
    expect(result.memories_merged).toBe(2);
    expect((result.metrics.detect as { review: unknown }).review).toMatchObject({ borderline: 1, proposals_created: 1 });
    const [proposal, ...others] = await proposalsOf(db, projectId);
    expect(others).toEqual([]);
    expect(proposal).toMatchObject({ status: "pending", reason: "borderline", job_id: jobId });
    expect(proposal?.member_key).toBe([ids.b1, ids.b2].sort().join(","));
    expect(Number(proposal?.min_similarity)).toBeCloseTo(0.8, 4);
    expect((await memory(db, ids.b1 as string)).is_duplicate).toBe(false);
    const listed = await listProposals(db, projectId, { status: "pending" });
    expect(listed.map((p) => p.id)).toEqual([proposal?.id]);
    const [a, b] = [ids.b1 as string, ids.b2 as string].sort();
    expect(listed[0]?.similarities).toEqual([{ a, b, similarity: 0.8 }]);
  });

  it("never archives a memory that a pending proposal holds, though it is stale", async () => {
    const projectId = await createProject(db, { options: { ...REVIEW, archive_enabled: true } });
    const ids = await seedReviewFixture(db, projectId);
    await db.rows(sql`UPDATE memcons.task_memories SET learned_at = now() - interval '400 days', reused_count = 0
      WHERE id = ${ids.b1 as string}::uuid`);
    const result = await runJob(db, await createJob(db, projectId));
    const [proposal] = await proposalsOf(db, projectId);
    expect(proposal).toMatchObject({ status: "pending", reason: "borderline" });
    expect((await memory(db, ids.b1 as string)).is_archived).toBe(false);
    // The other stale memory, held by no proposal, is archived as before.
    expect((await memory(db, ids.d as string)).is_archived).toBe(true);
    expect(result.memories_archived).toBe(1);
  });

  it("turns a pair the contradiction guard stopped into a proposal with the guard's reason, never a merge", async () => {
    const projectId = await createProject(db, { options: { archive_enabled: false, promote_enabled: false } });
    const texts = ["Use port 5432 for the local database.", "Use port 5433 for the local database."];
    const ids: string[] = [];
    for (const text of texts) {
      const [row] = await db.rows<{ id: string }>(
        sql`INSERT INTO memcons.task_memories (project_id, memory_type, execution_summary, context_embedding, embedding_model, reused_count)
            VALUES (${projectId}::uuid, 'decision', ${text}, '{1,0,0}'::real[], 'tiny-3', 5) RETURNING id`,
      );
      ids.push((row as { id: string }).id);
    }
    const result = await runJob(db, await createJob(db, projectId));
    expect(result.memories_merged).toBe(0);
    const [proposal, ...others] = await listProposals(db, projectId);
    expect(others).toEqual([]);
    expect(proposal?.reason).toMatch(/^(port|number): "543[23]" vs "543[23]"$/);
    expect([...(proposal?.memberIds ?? [])].sort()).toEqual([...ids].sort());
    expect(proposal?.minSimilarity).toBe(1);
  });

  it("does not propose pending or rejected members again", async () => {
    const projectId = await createProject(db, { options: REVIEW });
    await seedReviewFixture(db, projectId);
    await runJob(db, await createJob(db, projectId));
    await runJob(db, await createJob(db, projectId));
    const [first] = await proposalsOf(db, projectId);
    expect(await proposalsOf(db, projectId)).toHaveLength(1);
    const rejected = await rejectProposal(db, first?.id as string, { actor: "alice" });
    expect(rejected).toMatchObject({ status: "rejected", decidedBy: "alice" });
    expect(rejected.decidedAt).toBeInstanceOf(Date);
    await runJob(db, await createJob(db, projectId));
    expect((await proposalsOf(db, projectId)).map((p) => p.status)).toEqual(["rejected"]);
    await expect(rejectProposal(db, first?.id as string)).rejects.toBeInstanceOf(ProposalDecidedError);
  });

  it("approves by queueing a job that merges exactly the members; rolling that job back restores them", async () => {
    const projectId = await createProject(db, { options: REVIEW });
    const ids = await seedReviewFixture(db, projectId);
    await runJob(db, await createJob(db, projectId));
    const [pending] = await proposalsOf(db, projectId);
    const members = [ids.b1 as string, ids.b2 as string];
    const before = await snapshot(db, members);

    const { proposal, job } = await approveProposal(db, pending?.id as string, enqueueInto(db), { actor: "bob" });
    expect(proposal).toMatchObject({ status: "approved", decidedBy: "bob", appliedJobId: job.id });
    expect(job.scope).toEqual({ proposal_id: pending?.id });
    expect(job.triggeredBy).toBe("bob");
    const run = await runJob(db, job.id);
    expect(run.memories_merged).toBe(2);
    expect(run.memories_archived).toBe(0);
    const [b1, b2] = [await memory(db, members[0] as string), await memory(db, members[1] as string)];
    expect(b1.is_duplicate && b2.is_duplicate).toBe(true);
    expect(b1.duplicate_of).toBe(b2.duplicate_of);
    const [merged] = await db.rows<{ consolidated_from: string[] }>(
      sql`SELECT consolidated_from FROM memcons.task_memories WHERE id = ${b1.duplicate_of as string}::uuid`,
    );
    expect([...(merged?.consolidated_from ?? [])].sort()).toEqual([...members].sort());
    // Nothing outside the proposal was touched by the approval job.
    const [touched] = await db.rows<{ n: number }>(
      sql`SELECT count(DISTINCT memory_id)::int AS n FROM memcons.consolidation_changes
          WHERE consolidation_job_id = ${job.id}::uuid AND previous_state IS NOT NULL`,
    );
    expect(touched?.n).toBe(2);

    const rolledBack = await rollbackJob(db, job.id, { actor: "bob" });
    expect(rolledBack).toMatchObject({ memories_restored: 2, memories_deleted: 1 });
    const restored = await snapshot(db, members);
    for (const id of members) expect(comparable(restored.get(id))).toEqual(comparable(before.get(id)));
    await expect(approveProposal(db, pending?.id as string, enqueueInto(db))).rejects.toBeInstanceOf(ProposalDecidedError);
  });

  it("refuses an approval when a member changed since, naming it, and while another job is active", async () => {
    const projectId = await createProject(db, { options: REVIEW });
    const ids = await seedReviewFixture(db, projectId);
    await runJob(db, await createJob(db, projectId));
    const [pending] = await proposalsOf(db, projectId);
    const active = await createJob(db, projectId);
    const busy = await approveProposal(db, pending?.id as string, enqueueInto(db)).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(ProjectBusyError);
    expect((busy as ProjectBusyError).activeJobId).toBe(active);
    expect((await getProposal(db, pending?.id as string)).status).toBe("pending");
    await finishJob(db, active);

    await db.rows(sql`UPDATE memcons.task_memories SET execution_summary = 'Edited by hand.', version = version + 1 WHERE id = ${ids.b2 as string}::uuid`);
    const error = await approveProposal(db, pending?.id as string, enqueueInto(db)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoriesChangedError);
    expect((error as MemoriesChangedError).memoryIds).toEqual([ids.b2]);
    expect((error as MemoriesChangedError).code).toBe("conflict");
    expect((await getProposal(db, pending?.id as string)).status).toBe("pending");
    await expect(getProposal(db, "3f1c2a9e-8b7d-4c1e-9a0f-5d2e6b7c8a91")).rejects.toBeInstanceOf(ProposalNotFoundError);
    await expect(getProposal(db, "not-a-uuid")).rejects.toBeInstanceOf(ProposalNotFoundError);
  });

  it("lets a judge on a fake chat server approve: verdict and rationale recorded, merged by the same job, rolled back with it", async () => {
    const server = await fakeChatServer((prompt) =>
      prompt.includes("linter") ? verdict("approve", "Both say to lint before committing.") : verdict("reject", "Different facts."),
    );
    try {
      const projectId = await createProject(db, { options: REVIEW });
      const ids = await seedReviewFixture(db, projectId);
      const members = [ids.b1 as string, ids.b2 as string];
      const before = await snapshot(db, members);
      const judge = createOpenAIJudge({ baseUrl: server.baseUrl, model: "judge-test", apiKey: "k" });
      const jobId = await createJob(db, projectId);
      const result = await runJob(db, jobId, { judge });
      expect(server.prompts).toHaveLength(1);
      expect(server.prompts[0]).toContain("borderline");
      expect(server.prompts[0]).toContain("0.800");
      expect(result.memories_merged).toBe(4);
      const [proposal] = await listProposals(db, projectId);
      expect(proposal).toMatchObject({
        status: "approved",
        judgeVerdict: "approve",
        judgeRationale: "Both say to lint before committing.",
        judgeModel: "judge-test",
        decidedBy: "judge:judge-test",
        appliedJobId: jobId,
      });
      expect((await memory(db, ids.b1 as string)).is_duplicate).toBe(true);
      await rollbackJob(db, jobId);
      const after = await snapshot(db, members);
      for (const id of members) {
        expect(comparable(after.get(id), { is_consolidated: false })).toEqual(comparable(before.get(id), { is_consolidated: false }));
      }
    } finally {
      await server.close();
    }
  });

  it("records a judge's rejection, and leaves the proposal pending when the judge fails", async () => {
    const server = await fakeChatServer(() => verdict("reject", "One says before every commit, the other only for code."));
    const failing = await fakeChatServer(() => ({ status: 500, body: { error: "down" } }));
    try {
      const projectId = await createProject(db, { options: REVIEW });
      const ids = await seedReviewFixture(db, projectId);
      await runJob(db, await createJob(db, projectId), {
        judge: createOpenAIJudge({ baseUrl: server.baseUrl, model: "strict", retryPolicy: FAST_RETRY }),
      });
      const [rejected] = await listProposals(db, projectId);
      expect(rejected).toMatchObject({ status: "rejected", judgeVerdict: "reject", decidedBy: "judge:strict", appliedJobId: null });
      expect((await memory(db, ids.b1 as string)).is_duplicate).toBe(false);

      const other = await createProject(db, { options: REVIEW });
      await seedReviewFixture(db, other);
      const jobId = await createJob(db, other);
      const result = await runJob(db, jobId, {
        judge: createOpenAIJudge({ baseUrl: failing.baseUrl, model: "down", retryPolicy: FAST_RETRY }),
      });
      expect((result.metrics.detect as { review: { judge: unknown } }).review.judge).toMatchObject({ failed: 1, judged: 0 });
      const [pending] = await listProposals(db, other);
      expect(pending).toMatchObject({ status: "pending", judgeVerdict: null });
      expect(failing.prompts.length).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
      await failing.close();
    }
  });
});
