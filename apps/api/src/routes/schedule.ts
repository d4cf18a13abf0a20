import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { parseSchedule } from "@memcons/scheduler";
import type { ApiDeps, ApiEnv } from "../options.js";
import { errorResponses } from "../schemas/common.js";

const ScheduleSchema = z
  .object({
    schedule: z.string().nullable().openapi({ description: "Cron expression of the scheduled sweep; null when the API was not told" }),
    timezone: z.string().nullable(),
    next_run_at: z.string().nullable().openapi({ description: "ISO time of the next sweep; null when unknown" }),
    default_threshold: z.number().int().openapi({ description: "Threshold of projects that set none" }),
  })
  .openapi("ConsolidationSchedule");

const scheduleRoute = createRoute({
  method: "get",
  path: "/api/v1/consolidation/schedule",
  operationId: "getConsolidationSchedule",
  tags: ["consolidation"],
  summary: "The scheduled sweep: cron expression, time zone, next run and the default threshold",
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: "The schedule", content: { "application/json": { schema: ScheduleSchema } } },
    ...errorResponses(401),
  },
});

/** Registers the schedule route. */
export function registerScheduleRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const cron = deps.schedule ? parseSchedule(deps.schedule.cron, deps.schedule.timezone) : null;
  app.openapi(scheduleRoute, (c) => {
    const next = cron?.nextRun() ?? null;
    return c.json(
      {
        schedule: deps.schedule?.cron ?? null,
        timezone: deps.schedule?.timezone ?? null,
        next_run_at: next ? next.toISOString() : null,
        default_threshold: deps.defaultThreshold,
      },
      200,
    );
  });
}
