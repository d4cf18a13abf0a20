import { z } from "zod";
import { InvalidOptionsError, ValidationError } from "./errors.js";

/** Options of one consolidation job; every field has the design's default and range. */
export const ConsolidationOptionsSchema = z
  .object({
    similarity_threshold: z.number().min(0.5).max(1).default(0.9),
    min_cluster_size: z.number().int().min(2).max(1000).default(2),
    archive_stale_days: z.number().int().min(1).max(3650).default(90),
    archive_min_reuse: z.number().int().min(0).max(1_000_000).default(3),
    promote_confidence_threshold: z.number().min(0).max(1).default(0.85),
    merge_enabled: z.boolean().default(true),
    summarize_enabled: z.boolean().default(true),
    archive_enabled: z.boolean().default(true),
    promote_enabled: z.boolean().default(true),
    allow_cross_type: z.boolean().default(false),
    /** Clusters whose weakest pair lies between this and similarity_threshold become review proposals (null: no review tier). */
    review_threshold: z.number().min(0.5).max(1).nullable().default(null),
    /** Detect and plan only: store the plan, change no memory. */
    dry_run: z.boolean().default(false),
  })
  .strict();

/** Fully-defaulted consolidation options. */
export type ConsolidationOptions = z.output<typeof ConsolidationOptionsSchema>;
/** Consolidation options as a caller may give them (every field optional). */
export type ConsolidationOptionsInput = z.input<typeof ConsolidationOptionsSchema>;

/** Scope of a job: which memories it may examine. */
export const JobScopeSchema = z
  .object({
    unconsolidated_only: z.boolean().default(false),
    /** Merge exactly the members of this approved review proposal (nothing else). */
    proposal_id: z.guid().optional(),
    /** Carry out exactly the plan that this dry-run job stored. */
    plan_job_id: z.guid().optional(),
  })
  .strict()
  .refine((scope) => !(scope.proposal_id && scope.plan_job_id), {
    message: "proposal_id and plan_job_id exclude each other",
  });
export type JobScope = z.output<typeof JobScopeSchema>;

/** Global consolidation settings: schedule, default threshold and job timeout. */
export const GlobalSettingsSchema = z
  .object({
    schedule: z.string().trim().min(1).default("0 2 * * *"),
    timezone: z.string().trim().min(1).default("UTC"),
    threshold: z.number().int().min(10).max(1000).default(100),
    timeout_seconds: z.number().int().min(60).max(3600).default(600),
  })
  .strict();
export type GlobalSettings = z.output<typeof GlobalSettingsSchema>;
export type GlobalSettingsInput = z.input<typeof GlobalSettingsSchema>;

/** Default options, as a frozen object. */
export const DEFAULT_CONSOLIDATION_OPTIONS: Readonly<ConsolidationOptions> = Object.freeze(
  ConsolidationOptionsSchema.parse({}),
);

/** Default global settings, as a frozen object. */
export const DEFAULT_GLOBAL_SETTINGS: Readonly<GlobalSettings> = Object.freeze(
  GlobalSettingsSchema.parse({}),
);

/** Validates and defaults consolidation options; throws InvalidOptionsError naming each bad field. */
export function parseConsolidationOptions(input: unknown): ConsolidationOptions {
  const options = parseWith(ConsolidationOptionsSchema, input ?? {}, "consolidation options", InvalidOptionsError);
  if (options.review_threshold !== null && options.review_threshold >= options.similarity_threshold) {
    const message = `must be below similarity_threshold (${options.similarity_threshold})`;
    throw new InvalidOptionsError(`Invalid consolidation options: review_threshold: ${message}`, [
      { path: "review_threshold", message },
    ]);
  }
  return options;
}

/** Validates and defaults a job scope; throws InvalidOptionsError naming each bad field. */
export function parseJobScope(input: unknown): JobScope {
  return parseWith(JobScopeSchema, input ?? {}, "job scope", InvalidOptionsError);
}

/** Validates and defaults global settings; throws ValidationError naming each bad field. */
export function parseGlobalSettings(input: unknown): GlobalSettings {
  return parseWith(GlobalSettingsSchema, input ?? {}, "global settings", ValidationError);
}

/** Layers options: later layers override earlier ones, then the result is validated. */
export function mergeConsolidationOptions(
  ...layers: ReadonlyArray<Record<string, unknown> | null | undefined>
): ConsolidationOptions {
  return parseConsolidationOptions(Object.assign({}, ...layers.filter(Boolean)));
}

/** Parses `input` with `schema`, turning zod issues into a typed error that names each field. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  ErrorClass: new (
    message: string,
    issues: ReadonlyArray<{ path: string; message: string }>,
  ) => ValidationError = ValidationError,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join(".") : describeRoot(issue),
    message: issue.message,
  }));
  const detail = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  throw new ErrorClass(`Invalid ${what}: ${detail}`, issues);
}

function describeRoot(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return issue.keys.join(", ");
  return "(root)";
}
