import { z } from "@hono/zod-openapi";
import { JOB_STATUSES, PLAN_ITEM_KINDS, PLAN_STATUSES, PROPOSAL_STATUSES } from "@memcons/models";
import { CursorSchema, LimitSchema } from "./common.js";
import { MemorySchema } from "./memories.js";

/** A pair of memories and their cosine similarity. */
export const PairSimilaritySchema = z
  .object({ a: z.string(), b: z.string(), similarity: z.number() })
  .openapi("PairSimilarity");

/** A review proposal as the API returns it. */
export const ProposalSchema = z
  .object({
    id: z.string(),
    project_id: z.string(),
    job_id: z.string().nullable().openapi({ description: "The job whose detection proposed it" }),
    member_ids: z.array(z.string()),
    member_versions: z.array(z.number().int()),
    similarities: z.array(PairSimilaritySchema),
    min_similarity: z.number(),
    reason: z.string().openapi({ description: "`borderline`, or why the contradiction guard kept the members apart" }),
    status: z.enum(PROPOSAL_STATUSES),
    decided_by: z.string().nullable(),
    decided_at: z.string().nullable(),
    judge_verdict: z.enum(["approve", "reject"]).nullable(),
    judge_rationale: z.string().nullable(),
    judge_model: z.string().nullable(),
    applied_job_id: z.string().nullable().openapi({ description: "The job that merged an approved proposal" }),
    created_at: z.string().nullable(),
  })
  .openapi("Proposal");

/** Query of a project's proposal listing. */
export const ListProposalsQuerySchema = z.object({
  status: z.enum(PROPOSAL_STATUSES).optional().openapi({ description: "Only proposals in this state" }),
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});

/** A page of proposals. */
export const ProposalPageSchema = z
  .object({ proposals: z.array(ProposalSchema), next_cursor: z.string().nullable() })
  .openapi("ProposalPage");

/** Answer of an approval or a plan application: the decision and the job queued to carry it out. */
const QueuedJobFields = {
  job_id: z.string().openapi({ description: "The job that carries out the change; roll it back to undo it" }),
  status: z.enum(JOB_STATUSES),
};

/** Answer of an approval. */
export const ApprovalResultSchema = z
  .object({ proposal: ProposalSchema, ...QueuedJobFields })
  .openapi("ApprovalResult");

/** A dry run's plan (without items). */
export const PlanSchema = z
  .object({
    job_id: z.string(),
    project_id: z.string(),
    status: z.enum(PLAN_STATUSES),
    summary: z.record(z.string(), z.unknown()).openapi({
      description: "Counts: clusters, memories_to_merge, summaries, archive, promote_new, promote_existing, review",
    }),
    decided_by: z.string().nullable(),
    decided_at: z.string().nullable(),
    applied_job_id: z.string().nullable(),
    created_at: z.string().nullable(),
  })
  .openapi("Plan");

/** One decision of a plan. */
export const PlanItemSchema = z
  .object({
    position: z.number().int(),
    kind: z.enum(PLAN_ITEM_KINDS),
    memory_ids: z.array(z.string()),
    memory_versions: z.array(z.number().int()),
    similarities: z.array(PairSimilaritySchema).nullable(),
    detail: z.record(z.string(), z.unknown()).openapi({
      description:
        "merge: consolidated (the memory it would create), summary (for 3+ members), promote_consolidated, min/mean_similarity; archive/promote: reason; review: reason",
    }),
  })
  .openapi("PlanItem");

/** Query of a plan. */
export const PlanQuerySchema = z.object({
  kind: z.enum(PLAN_ITEM_KINDS).optional().openapi({ description: "Only items of this kind" }),
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});

/** A plan with one page of its items. */
export const PlanPageSchema = z
  .object({ plan: PlanSchema, items: z.array(PlanItemSchema), next_cursor: z.string().nullable() })
  .openapi("PlanPage");

/** Answer of a plan application. */
export const ApplyResultSchema = z.object({ plan: PlanSchema, ...QueuedJobFields }).openapi("ApplyPlanResult");

/** The members of a proposal as they are now, for a reviewer to read before deciding. */
export const ProposalMembersSchema = z
  .object({
    proposal_id: z.string(),
    members: z.array(MemorySchema).openapi({ description: "The members that still exist, in the proposal's order" }),
    changed_ids: z.array(z.string()).openapi({ description: "Members whose version differs from the one proposed (approval would answer 409)" }),
    missing_ids: z.array(z.string()).openapi({ description: "Members that no longer exist" }),
  })
  .openapi("ProposalMembers");
