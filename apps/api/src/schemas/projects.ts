import { z } from "@hono/zod-openapi";
import { ConsolidationOptionsSchema } from "@memcons/models";
import { CursorSchema, LimitSchema, nonBlankText } from "./common.js";

/** A per-project consolidation threshold (10..1000), or null for the global default. */
export const ThresholdSchema = z.number().int().min(10).max(1000).nullable();

const optionShape = ConsolidationOptionsSchema.shape;
type OptionShape = typeof optionShape;

/** Consolidation options where every field is optional and nothing is defaulted (for partial updates). */
export const PartialOptionsSchema = z
  .object(
    Object.fromEntries(
      Object.entries(optionShape).map(([key, schema]) => [key, schema.unwrap().optional()]),
    ) as { [K in keyof OptionShape]: z.ZodOptional<ReturnType<OptionShape[K]["unwrap"]>> },
  )
  .strict()
  .openapi("ConsolidationOptionsInput");

/** Body of POST /api/v1/projects. */
export const CreateProjectSchema = z
  .object({
    name: nonBlankText(200).openapi({ example: "payments-service" }),
    consolidation_enabled: z.boolean().optional(),
    consolidation_threshold: ThresholdSchema.optional(),
  })
  .strict()
  .openapi("CreateProject");

/** Body of POST /api/v1/consolidation/configure/{project_id}. */
export const ConfigureSchema = z
  .object({
    enabled: z.boolean().optional(),
    threshold: ThresholdSchema.optional(),
    options: PartialOptionsSchema.optional(),
  })
  .strict()
  .openapi("ConfigureConsolidation");

/** A project as the API returns it. */
export const ProjectSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    consolidation_enabled: z.boolean(),
    consolidation_threshold: z.number().int().nullable(),
    consolidation_options: z.record(z.string(), z.unknown()),
    is_active: z.boolean(),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  .openapi("Project");

/** Memory counts by state. */
export const MemoryCountsSchema = z
  .object({
    active: z.number().int(),
    archived: z.number().int(),
    duplicate: z.number().int(),
    total: z.number().int(),
  })
  .openapi("MemoryCounts");

/** A project with its memory counts. */
export const ProjectDetailSchema = ProjectSchema.extend({ memory_counts: MemoryCountsSchema }).openapi(
  "ProjectDetail",
);

/** Query of GET /api/v1/projects. */
export const ListProjectsQuerySchema = z.object({ limit: LimitSchema, cursor: CursorSchema.optional() });
