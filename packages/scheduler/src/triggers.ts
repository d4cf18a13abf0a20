import {
  type ConsolidationJob,
  type Database,
  type Executor,
  ProjectNotFoundError,
  TRIGGER_TYPES,
  type TriggerType,
  ValidationError,
  parseConsolidationOptions,
  parseJobScope,
  projects,
} from "@memcons/models";
import { eq } from "drizzle-orm";
import { enqueueJob } from "./enqueue.js";
import { ConsolidationDisabledError } from "./errors.js";

/** What to consolidate and why. */
export interface TriggerInput {
  projectId: string;
  triggerType: TriggerType;
  /** Consolidation options for this job (validated; stored as given, layered over the project's). */
  options?: unknown;
  /** Job scope, e.g. `{ unconsolidated_only: true }`. */
  scope?: unknown;
  /** "system" (default) or a user id. */
  triggeredBy?: string;
  /** Attempts after the first (default: the column default, 3). */
  maxRetries?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID (anything else cannot name a project or job). */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
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
 * Queues a consolidation job for a project, or returns its pending/running job (`created: false`).
 * Throws ProjectNotFoundError, ConsolidationDisabledError, InvalidOptionsError or ValidationError.
 */
export async function triggerConsolidation(
  db: Database,
  input: TriggerInput,
  options: TriggerOptions = {},
): Promise<{ job: ConsolidationJob; created: boolean }> {
  const request = validateTrigger(input);
  if (!isUuid(input.projectId)) throw new ProjectNotFoundError(String(input.projectId));
  const [project] = await (options.transaction ?? db.orm)
    .select({ enabled: projects.consolidationEnabled })
    .from(projects)
    .where(eq(projects.id, input.projectId))
    .limit(1);
  if (!project) throw new ProjectNotFoundError(input.projectId);
  if (!project.enabled) throw new ConsolidationDisabledError(input.projectId);
  return enqueueJob(db, request, options.transaction);
}

function validateTrigger(input: TriggerInput) {
  if (!input || typeof input !== "object") throw new ValidationError("Trigger input must be an object");
  if (!(TRIGGER_TYPES as readonly string[]).includes(input.triggerType)) {
    const message = `triggerType must be one of ${TRIGGER_TYPES.join(", ")}`;
    throw new ValidationError(`Invalid trigger: ${message}`, [{ path: "triggerType", message }]);
  }
  parseConsolidationOptions(input.options);
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
    triggerType: input.triggerType,
    options: { ...((input.options ?? {}) as Record<string, unknown>) },
    scope,
    triggeredBy,
    maxRetries,
  };
}
