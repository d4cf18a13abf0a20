import { z } from "@hono/zod-openapi";
import { CursorSchema, LimitSchema, nonBlankText } from "./common.js";

/** Query of the playbook listing. */
export const ListPlaybookQuerySchema = z.object({
  category: nonBlankText(100).optional().openapi({ description: "Only entries of this category (e.g. error_fix)" }),
  tag: nonBlankText(200).optional().openapi({ description: "Only entries carrying this tag" }),
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});

/** A playbook entry as the API returns it (without its embedding). */
export const PlaybookEntrySchema = z
  .object({
    id: z.string(),
    project_id: z.string(),
    content: z.string(),
    category: z.string(),
    tags: z.array(z.string()),
    priority: z.number().int(),
    supporting_memory_ids: z.array(z.string()),
    source_job_id: z.string().nullable(),
    created_by: z.string(),
    created_at: z.string().nullable(),
  })
  .openapi("PlaybookEntry");

/** A page of playbook entries. */
export const PlaybookPageSchema = z
  .object({ entries: z.array(PlaybookEntrySchema), next_cursor: z.string().nullable() })
  .openapi("PlaybookPage");
