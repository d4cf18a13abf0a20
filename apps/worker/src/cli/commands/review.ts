import {
  applyPlan,
  approveProposal,
  discardPlan,
  type EnqueueApplication,
  getPlan,
  listProposals,
  rejectProposal,
} from "@memcons/consolidation-core";
import { type Database, planItemToDict, planToDict, proposalToDict } from "@memcons/models";
import { triggerConsolidation } from "@memcons/scheduler";
import { loadConfig } from "../../common/config.js";
import { formatTable, json } from "../format.js";
import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";
import { openCliDatabase } from "./shared.js";
import { cliActor, followJob } from "./trigger.js";

type ReviewCommand = Extract<Command, { name: "proposals" | "approve" | "reject" | "plan" | "apply-plan" | "discard-plan" }>;

/** `memcons proposals|approve|reject|plan|apply-plan|discard-plan`: the review queue and dry-run plans. */
export async function reviewCommand(cmd: ReviewCommand, io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const db = await openCliDatabase(config);
  const actor = cliActor();
  try {
    switch (cmd.name) {
      case "proposals":
        return await printProposals(db, cmd, io);
      case "approve": {
        const { proposal, job } = await approveProposal(db, cmd.proposalId, enqueueThrough(db), { actor });
        if (cmd.wait) {
          io.stderr.write(`Approved; following job ${job.id}\n`);
          return await followJob(db, config, job.id, io);
        }
        io.stdout.write(json({ proposal: proposalToDict(proposal), job_id: job.id, status: job.status }));
        return 0;
      }
      case "reject":
        io.stdout.write(json(proposalToDict(await rejectProposal(db, cmd.proposalId, { actor }))));
        return 0;
      case "plan": {
        const { plan, items } = await getPlan(db, cmd.jobId, { ...(cmd.kind ? { kind: cmd.kind } : {}), limit: cmd.limit });
        io.stdout.write(json({ plan: planToDict(plan), items: items.map(planItemToDict) }));
        return 0;
      }
      case "apply-plan": {
        const { plan, job } = await applyPlan(db, cmd.jobId, enqueueThrough(db), { actor });
        if (cmd.wait) {
          io.stderr.write(`Applying; following job ${job.id}\n`);
          return await followJob(db, config, job.id, io);
        }
        io.stdout.write(json({ plan: planToDict(plan), job_id: job.id, status: job.status }));
        return 0;
      }
      case "discard-plan":
        io.stdout.write(json(planToDict(await discardPlan(db, cmd.jobId, { actor }))));
        return 0;
    }
  } finally {
    await db.close();
  }
}

async function printProposals(db: Database, cmd: Extract<Command, { name: "proposals" }>, io: CliIo): Promise<number> {
  const proposals = await listProposals(db, cmd.projectId, { ...(cmd.status ? { status: cmd.status } : {}), limit: cmd.limit });
  if (cmd.json) {
    io.stdout.write(json(proposals.map(proposalToDict)));
    return 0;
  }
  if (proposals.length === 0) {
    io.stdout.write("No proposals.\n");
    return 0;
  }
  io.stdout.write(
    formatTable(
      ["PROPOSAL", "STATUS", "REASON", "WEAKEST", "MEMBERS", "DECIDED BY", "CREATED"],
      proposals.map((p) => [
        p.id,
        p.status,
        p.reason,
        p.minSimilarity.toFixed(3),
        String(p.memberIds.length),
        p.decidedBy ?? "-",
        p.createdAt.toISOString().replace(/\.\d+Z$/, "Z"),
      ]),
    ),
  );
  return 0;
}

/** Queues approval and plan jobs the way `memcons trigger` queues a manual job. */
function enqueueThrough(db: Database): EnqueueApplication {
  return (request) => triggerConsolidation(db, { ...request, triggerType: "manual" });
}
