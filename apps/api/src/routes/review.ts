import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import {
  type EnqueueApplication,
  applyPlan,
  approveProposal,
  discardPlan,
  getPlan,
  getProposal,
  rejectProposal,
} from "@memcons/consolidation-core";
import { type Database, memoryToDict, planItemToDict, planToDict, proposalToDict } from "@memcons/models";
import { triggerConsolidation } from "@memcons/scheduler";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses, uuidParam } from "../schemas/common.js";
import {
  ApplyResultSchema,
  ApprovalResultSchema,
  ListProposalsQuerySchema,
  PlanPageSchema,
  PlanQuerySchema,
  PlanSchema,
  ProposalMembersSchema,
  ProposalPageSchema,
  ProposalSchema,
} from "../schemas/review.js";
import { decodeOffset, encodeOffset } from "../services/cursor.js";
import { assertProjectExists } from "../services/projects.js";
import { listProposalPage, readProposalMembers } from "../services/proposals.js";

const security = [{ bearerAuth: [] }];
const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const queued = <S extends z.ZodType>(schema: S, description: string) => ({
  ...json(schema, description),
  headers: { Location: { description: "URL of the status of the queued job", schema: { type: "string" as const } } },
});

const listProposalsRoute = createRoute({
  method: "get",
  path: "/api/v1/projects/{id}/proposals",
  operationId: "listProposals",
  tags: ["review"],
  summary: "The project's review proposals (borderline clusters and pairs the contradiction guard stopped), newest first",
  security,
  request: { params: uuidParam("id"), query: ListProposalsQuerySchema },
  responses: { 200: json(ProposalPageSchema, "A page of proposals"), ...errorResponses(400, 401, 404) },
});

const getProposalRoute = createRoute({
  method: "get",
  path: "/api/v1/consolidation/proposals/{proposal_id}",
  operationId: "getProposal",
  tags: ["review"],
  summary: "One review proposal",
  security,
  request: { params: uuidParam("proposal_id") },
  responses: { 200: json(ProposalSchema, "The proposal"), ...errorResponses(400, 401, 404) },
});

const proposalMembersRoute = createRoute({
  method: "get",
  path: "/api/v1/consolidation/proposals/{proposal_id}/members",
  operationId: "getProposalMembers",
  tags: ["review"],
  summary: "A proposal's member memories as they are now (text, type, state), and which changed or vanished since it was proposed",
  security,
  request: { params: uuidParam("proposal_id") },
  responses: { 200: json(ProposalMembersSchema, "The members"), ...errorResponses(400, 401, 404) },
});

const approveRoute = createRoute({
  method: "post",
  path: "/api/v1/consolidation/proposals/{proposal_id}/approve",
  operationId: "approveProposal",
  tags: ["review"],
  summary: "Approve a pending proposal: queues a job that merges exactly its members (roll the job back to undo)",
  security,
  request: { params: uuidParam("proposal_id") },
  responses: {
    202: queued(ApprovalResultSchema, "Approved; the merging job is queued"),
    ...errorResponses(400, 401, 404, 409),
  },
});

const rejectRoute = createRoute({
  method: "post",
  path: "/api/v1/consolidation/proposals/{proposal_id}/reject",
  operationId: "rejectProposal",
  tags: ["review"],
  summary: "Reject a pending proposal; the same members are never proposed again",
  security,
  request: { params: uuidParam("proposal_id") },
  responses: { 200: json(ProposalSchema, "The rejected proposal"), ...errorResponses(400, 401, 404, 409) },
});

const getPlanRoute = createRoute({
  method: "get",
  path: "/api/v1/consolidation/plans/{job_id}",
  operationId: "getPlan",
  tags: ["review"],
  summary: "The plan a dry-run job stored, with a page of its items (clusters to merge, memories to archive or promote, sets to review)",
  security,
  request: { params: uuidParam("job_id"), query: PlanQuerySchema },
  responses: { 200: json(PlanPageSchema, "The plan and a page of its items"), ...errorResponses(400, 401, 404) },
});

const applyRoute = createRoute({
  method: "post",
  path: "/api/v1/consolidation/plans/{job_id}/apply",
  operationId: "applyPlan",
  tags: ["review"],
  summary: "Apply a ready plan: re-checks memory versions (409 listing the changed ones) and queues a job that carries it out",
  security,
  request: { params: uuidParam("job_id") },
  responses: {
    202: queued(ApplyResultSchema, "Applied; the job carrying out the plan is queued"),
    ...errorResponses(400, 401, 404, 409),
  },
});

const discardRoute = createRoute({
  method: "post",
  path: "/api/v1/consolidation/plans/{job_id}/discard",
  operationId: "discardPlan",
  tags: ["review"],
  summary: "Discard a ready plan",
  security,
  request: { params: uuidParam("job_id") },
  responses: { 200: json(PlanSchema, "The discarded plan"), ...errorResponses(400, 401, 404, 409) },
});

/** Queues approval and plan jobs through the same trigger path as a manual consolidation. */
function enqueueThrough(db: Database): EnqueueApplication {
  return (request) => triggerConsolidation(db, { ...request, triggerType: "manual" });
}

/** Registers the review queue (proposals) and dry-run plan routes. */
export function registerReviewRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const enqueue = enqueueThrough(deps.db);

  app.openapi(listProposalsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    await assertProjectExists(deps.db, id);
    const page = await listProposalPage(deps.db, id, query);
    return c.json({ proposals: page.proposals.map(proposalToDict), next_cursor: page.nextCursor }, 200);
  });

  app.openapi(getProposalRoute, async (c) => {
    const { proposal_id } = c.req.valid("param");
    return c.json(proposalToDict(await getProposal(deps.db, proposal_id)), 200);
  });

  app.openapi(proposalMembersRoute, async (c) => {
    const { proposal_id } = c.req.valid("param");
    const { members, changedIds, missingIds } = await readProposalMembers(deps.db, await getProposal(deps.db, proposal_id));
    return c.json({ proposal_id, members: members.map((m) => memoryToDict(m)), changed_ids: changedIds, missing_ids: missingIds }, 200);
  });

  app.openapi(approveRoute, async (c) => {
    const { proposal_id } = c.req.valid("param");
    const { proposal, job } = await approveProposal(deps.db, proposal_id, enqueue, { actor: c.get("actor") ?? "admin" });
    c.header("Location", `/api/v1/consolidation/status/${job.id}`);
    return c.json({ proposal: proposalToDict(proposal), job_id: job.id, status: job.status }, 202);
  });

  app.openapi(rejectRoute, async (c) => {
    const { proposal_id } = c.req.valid("param");
    const proposal = await rejectProposal(deps.db, proposal_id, { actor: c.get("actor") ?? "admin" });
    return c.json(proposalToDict(proposal), 200);
  });

  app.openapi(getPlanRoute, async (c) => {
    const { job_id } = c.req.valid("param");
    const query = c.req.valid("query");
    const afterPosition = query.cursor ? decodeOffset(query.cursor) : undefined;
    const { plan, items } = await getPlan(deps.db, job_id, {
      ...(query.kind ? { kind: query.kind } : {}),
      ...(afterPosition === undefined ? {} : { afterPosition }),
      limit: query.limit + 1,
    });
    const page = items.slice(0, query.limit);
    const last = page.at(-1);
    return c.json(
      {
        plan: planToDict(plan),
        items: page.map(planItemToDict),
        next_cursor: items.length > query.limit && last ? encodeOffset(last.position) : null,
      },
      200,
    );
  });

  app.openapi(applyRoute, async (c) => {
    const { job_id } = c.req.valid("param");
    const { plan, job } = await applyPlan(deps.db, job_id, enqueue, { actor: c.get("actor") ?? "admin" });
    c.header("Location", `/api/v1/consolidation/status/${job.id}`);
    return c.json({ plan: planToDict(plan), job_id: job.id, status: job.status }, 202);
  });

  app.openapi(discardRoute, async (c) => {
    const { job_id } = c.req.valid("param");
    return c.json(planToDict(await discardPlan(deps.db, job_id, { actor: c.get("actor") ?? "admin" })), 200);
  });
}
