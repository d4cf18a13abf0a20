import {
  CONSOLIDATION_JOB_KIND,
  type Database,
  type Executor,
  ProjectNotFoundError,
  TRIGGER_TYPES,
  type TriggerType,
  ValidationError,
  parseConsolidationOptions,
  parseJobScope,
  isUuid,
  projects,
} from "@memcons/models";
import { eq } from "drizzle-orm";
import { type EnqueueRequest, type EnqueueResult, enqueueJob } from "./enqueue.js";
import { ConsolidationDisabledError } from "./errors.js";

/** What to consolidate and why. */
export interface TriggerInput {
  projectId: string;
  triggerType: TriggerType;
  /** Options for this job (validated by the trigger of its kind; stored as given). */
  options?: unknown;
  /** Job scope, e.g. `{ unconsolidated_only: true }`. */
  scope?: unknown;
  /** "system" (default) or a user id. */
  triggeredBy?: string;
  /** Attempts after the first (default: the column default, 3). */
  maxRetries?: number;
}

/** A job of any kind to queue for a project. */
export interface JobTriggerInput extends TriggerInput {
  /** Which registered handler runs the job, e.g. "consolidation". */
  kind: string;
}

/** Where triggerConsolidation writes. */
export interface TriggerOptions {
  /**
   * An open transaction of `db.orm` (`db.orm.transaction(async (tx) => …)`): the job is inserted in
   * it, so it exists only if the caller's transaction commits; runners are woken at commit.
   */
  transaction?: Executor;
}

/**
 * Queues a job of `input.kind` for an existing project, or returns the project's pending/running job of
 * that kind (`created: false`). Options must be a JSON object; their meaning is the handler's business.
 * Throws ProjectNotFoundError or ValidationError.
 */
export async function triggerJob(
  db: Database,
  input: JobTriggerInput,
  options: TriggerOptions = {},
): Promise<EnqueueResult> {
  const request = validateTrigger(input, input.kind);
  if (input.options !== undefined && !isObject(input.options)) {
    const message = "options must be an object";
    throw new ValidationError(`Invalid trigger: ${message}`, [{ path: "options", message }]);
  }
  await findProject(options.transaction ?? db.orm, input.projectId);
  return enqueueJob(db, request, options.transaction);
}

/**
 * Queues a consolidation job for a project, or returns its pending/running consolidation job
 * (`created: false`). Throws ProjectNotFoundError, ConsolidationDisabledError, InvalidOptionsError or
 * ValidationError.
 */
export async function triggerConsolidation(
  db: Database,
  input: TriggerInput,
  options: TriggerOptions = {},
): Promise<EnqueueResult> {
  const request = validateTrigger(input, CONSOLIDATION_JOB_KIND);
  parseConsolidationOptions(input.options);
  const project = await findProject(options.transaction ?? db.orm, input.projectId);
  if (!project.enabled) throw new ConsolidationDisabledError(input.projectId);
  return enqueueJob(db, request, options.transaction);
}

async function findProject(executor: Executor, projectId: string): Promise<{ enabled: boolean }> {
  if (!isUuid(projectId)) throw new ProjectNotFoundError(String(projectId));
  const [project] = await executor
    .select({ enabled: projects.consolidationEnabled })
    .from(projects)
    .where(eq(projects.id, projectId))
    .limit(1);
  if (!project) throw new ProjectNotFoundError(projectId);
  return project;
}

function validateTrigger(input: TriggerInput, kind: string): EnqueueRequest {
  if (!input || typeof input !== "object") throw new ValidationError("Trigger input must be an object");
  if (!(TRIGGER_TYPES as readonly string[]).includes(input.triggerType)) {
    const message = `triggerType must be one of ${TRIGGER_TYPES.join(", ")}`;
    throw new ValidationError(`Invalid trigger: ${message}`, [{ path: "triggerType", message }]);
  }
  const scope = parseJobScope(input.scope);
  const triggeredBy = input.triggeredBy ?? "system";
  if (typeof triggeredBy !== "string" || triggeredBy.trim() === "" || triggeredBy.length > 200) {
    const message = "triggeredBy must be a non-empty string of at most 200 characters";
    throw new ValidationError(`Invalid trigger: ${message}`, [{ path: "triggeredBy", message }]);
  }
  const maxRetries = input.maxRetries;
  if (maxRetries !== undefined && (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 100)) {
    const message = "maxRetries must be an integer between 0 and 100";
    throw new ValidationError(`Invalid trigger: ${message}`, [{ path: "maxRetries", message }]);
  }
  return {
    projectId: input.projectId,
    kind,
    triggerType: input.triggerType,
    options: { ...((input.options ?? {}) as Record<string, unknown>) },
    scope,
    triggeredBy,
    maxRetries,
  };
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
