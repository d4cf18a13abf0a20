import { z } from "@hono/zod-openapi";
import { MemoryType } from "@memcons/models";
import { CursorSchema, LimitSchema, nonBlankText, QueryFlagSchema, text, TimestampSchema, UuidSchema } from "./common.js";

/** Memory types an agent may write (consolidated and synthesis are created by jobs only). */
export const AGENT_MEMORY_TYPES = [
  MemoryType.ErrorFix,
  MemoryType.Discovery,
  MemoryType.Decision,
  MemoryType.Learning,
  MemoryType.Warning,
  MemoryType.CodebaseKnowledge,
] as const;

/** Largest number of memories one ingest call accepts. */
export const MAX_INGEST_BATCH = 1000;

/** Largest embedding dimension accepted. */
const MAX_DIMENSIONS = 8192;
/** Embedding components must fit a PostgreSQL real (float4). */
const REAL_LIMIT = 3.4e38;
/** Smallest normal float4; PostgreSQL rejects smaller magnitudes as out of range, so they become 0. */
const REAL_MIN_NORMAL = 1.1754944e-38;

/** One memory in an ingest request. */
export const MemoryInputSchema = z
  .object({
    task_id: text(200).nullable().optional(),
    memory_type: z.enum(AGENT_MEMORY_TYPES),
    execution_summary: nonBlankText(20_000),
    goal: text(20_000).nullable().optional(),
    result: text(20_000).nullable().optional(),
    feedback: text(20_000).nullable().optional(),
    tags: z.array(text(200)).max(100).optional(),
    file_paths: z.array(text(1_000)).max(500).optional(),
    context_embedding: z
      .array(
        z
          .number()
          .min(-REAL_LIMIT)
          .max(REAL_LIMIT)
          .transform((v) => (Math.abs(v) < REAL_MIN_NORMAL ? 0 : v)),
      )
      .min(1)
      .max(MAX_DIMENSIONS)
      .optional(),
    embedding_model: text(200)
      .optional()
      .describe(
        "Model that produced context_embedding (default: the configured embedder's). Vectors of another model are stored but never compared: the next job re-embeds them.",
      ),
    success: z.boolean().optional(),
    reused_count: z.number().int().min(0).max(2_147_483_647).optional(),
    learned_at: TimestampSchema.optional(),
  })
  .strict()
  .openapi("MemoryInput");

/** Body of POST /api/v1/projects/{id}/memories. */
export const IngestSchema = z
  .object({ memories: z.array(MemoryInputSchema).min(1).max(MAX_INGEST_BATCH) })
  .strict()
  .openapi("IngestMemories");

/** Answer of an ingest. */
export const IngestResultSchema = z
  .object({ ids: z.array(z.string()), count: z.number().int() })
  .openapi("IngestResult");

/** Query of GET /api/v1/projects/{id}/memories. */
export const ListMemoriesQuerySchema = z.object({
  q: text(2_000).optional().openapi({ description: "Free text; ranks results by similarity" }),
  memory_type: z.enum(MemoryType).optional(),
  include_archived: QueryFlagSchema,
  include_duplicates: QueryFlagSchema,
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});

/** A memory as the API returns it. */
export const MemorySchema = z
  .object({
    id: z.string(),
    project_id: z.string(),
    task_id: z.string().nullable(),
    memory_type: z.string(),
    execution_summary: z.string(),
    goal: z.string().nullable(),
    result: z.string().nullable(),
    feedback: z.string().nullable(),
    tags: z.array(z.string()),
    file_paths: z.array(z.string()),
    success: z.boolean(),
    reused_count: z.number().int(),
    last_reused_at: z.string().nullable(),
    learned_at: z.string().nullable(),
    is_duplicate: z.boolean(),
    duplicate_of: z.string().nullable(),
    is_consolidated: z.boolean(),
    consolidated_from: z.array(z.string()),
    consolidated_at: z.string().nullable(),
    synthesized_from: z.array(z.string()),
    synthesized_at: z.string().nullable(),
    synthesis_confidence: z.number().nullable(),
    needs_review: z.boolean(),
    is_archived: z.boolean(),
    archived_at: z.string().nullable(),
    archive_reason: z.string().nullable(),
    version: z.number().int(),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
    similarity: z.number().optional().openapi({ description: "Cosine similarity to q (only with q)" }),
  })
  .openapi("Memory");

/** A page of memories. */
export const MemoryPageSchema = z
  .object({ memories: z.array(MemorySchema), next_cursor: z.string().nullable() })
  .openapi("MemoryPage");

/** Body of the manual archive and unarchive routes. */
export const ArchiveRequestSchema = z
  .object({
    memory_ids: z.array(UuidSchema).min(1).max(MAX_INGEST_BATCH),
    reason: text(500).optional().openapi({ description: "Why: recorded as the reason of each audit row" }),
  })
  .strict()
  .openapi("ArchiveRequest");

/** Answer of the manual archive route. */
export const ArchiveResultSchema = z
  .object({
    archived: z.number().int().openapi({ description: "Memories archived now (already archived ones are not counted)" }),
    not_found: z.array(z.string()).openapi({ description: "Ids that are not memories of this project" }),
  })
  .openapi("ArchiveResult");

/** Answer of the manual unarchive route. */
export const UnarchiveResultSchema = z
  .object({
    unarchived: z.number().int().openapi({ description: "Memories brought back (ones not archived are not counted)" }),
    not_found: z.array(z.string()).openapi({ description: "Ids that are not memories of this project" }),
  })
  .openapi("UnarchiveResult");

/** Query of the memory audit trail route. */
export const MemoryChangesQuerySchema = z.object({ limit: LimitSchema });
