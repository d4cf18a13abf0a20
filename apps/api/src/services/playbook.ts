import { type Database, type PlaybookEntry, playbookEntries } from "@memcons/models";
import { and, arrayContains, desc, eq, getTableColumns, type SQL } from "drizzle-orm";
import { afterKeyset, cursorTimestamp, decodeKeyset, keysetPage } from "./cursor.js";

/** Filters of a playbook listing. */
export interface ListPlaybookInput {
  category?: string | undefined;
  tag?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

const { embedding: _embedding, ...listedColumns } = getTableColumns(playbookEntries);

/** Lists a project's playbook entries, newest first, without their embeddings. */
export async function listPlaybook(
  db: Database,
  projectId: string,
  input: ListPlaybookInput,
): Promise<{ entries: PlaybookEntry[]; nextCursor: string | null }> {
  const filters: SQL[] = [eq(playbookEntries.projectId, projectId)];
  if (input.category !== undefined) filters.push(eq(playbookEntries.category, input.category));
  if (input.tag !== undefined) filters.push(arrayContains(playbookEntries.tags, [input.tag]));
  const position = input.cursor ? decodeKeyset(input.cursor) : undefined;
  if (position) filters.push(afterKeyset(playbookEntries.createdAt, playbookEntries.id, position));
  const rows = await db.orm
    .select({ entry: listedColumns, ts: cursorTimestamp(playbookEntries.createdAt) })
    .from(playbookEntries)
    .where(and(...filters))
    .orderBy(desc(playbookEntries.createdAt), desc(playbookEntries.id))
    .limit(input.limit + 1);
  const { page, nextCursor } = keysetPage(rows, input.limit, (row) => row.entry.id);
  return { entries: page.map((row) => ({ ...row.entry, embedding: null })), nextCursor };
}
