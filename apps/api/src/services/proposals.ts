import {
  type ConsolidationProposal,
  consolidationProposals,
  type Database,
  type ProposalStatus,
  type TaskMemory,
  taskMemories,
} from "@memcons/models";
import { and, desc, eq, inArray, type SQL } from "drizzle-orm";
import { afterKeyset, cursorTimestamp, decodeKeyset, keysetPage } from "./cursor.js";

/** Filters of a proposal listing. */
export interface ListProposalsInput {
  status?: ProposalStatus | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Lists a project's review proposals, newest first. */
export async function listProposalPage(
  db: Database,
  projectId: string,
  input: ListProposalsInput,
): Promise<{ proposals: ConsolidationProposal[]; nextCursor: string | null }> {
  const p = consolidationProposals;
  const filters: SQL[] = [eq(p.projectId, projectId)];
  if (input.status !== undefined) filters.push(eq(p.status, input.status));
  const position = input.cursor ? decodeKeyset(input.cursor) : undefined;
  if (position) filters.push(afterKeyset(p.createdAt, p.id, position));
  const rows = await db.orm
    .select({ proposal: p, ts: cursorTimestamp(p.createdAt) })
    .from(p)
    .where(and(...filters))
    .orderBy(desc(p.createdAt), desc(p.id))
    .limit(input.limit + 1);
  const { page, nextCursor } = keysetPage(rows, input.limit, (row) => row.proposal.id);
  return { proposals: page.map((row) => row.proposal), nextCursor };
}

/** A proposal's members as they are now: those found (in the proposal's order), those changed since, those gone. */
export async function readProposalMembers(
  db: Database,
  proposal: ConsolidationProposal,
): Promise<{ members: TaskMemory[]; changedIds: string[]; missingIds: string[] }> {
  const ids = proposal.memberIds;
  const rows =
    ids.length === 0
      ? []
      : await db.orm
          .select()
          .from(taskMemories)
          .where(and(eq(taskMemories.projectId, proposal.projectId), inArray(taskMemories.id, ids)));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const members = ids.flatMap((id) => byId.get(id) ?? []);
  const changedIds = ids.filter((id, i) => {
    const row = byId.get(id);
    return row !== undefined && row.version !== proposal.memberVersions[i];
  });
  return { members, changedIds, missingIds: ids.filter((id) => !byId.has(id)) };
}
