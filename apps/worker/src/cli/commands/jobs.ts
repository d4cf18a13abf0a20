import { consolidationJobs, jobToDict } from "@memcons/models";
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Command } from "../parse.js";
import type { CliIo } from "../io.js";
import { loadConfig } from "../../common/config.js";
import { openCliDatabase } from "./shared.js";
import { formatTable, json } from "../format.js";

/** `memcons jobs`: lists recent jobs, newest first, as a table or JSON. */
export async function jobsCommand(cmd: Extract<Command, { name: "jobs" }>, io: CliIo): Promise<number> {
  const db = await openCliDatabase(loadConfig(io.env));
  try {
    const where: SQL[] = [];
    if (cmd.projectId) where.push(eq(consolidationJobs.projectId, cmd.projectId));
    if (cmd.status) where.push(eq(consolidationJobs.status, cmd.status));
    const jobs = await db.orm
      .select()
      .from(consolidationJobs)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(consolidationJobs.createdAt), desc(consolidationJobs.id))
      .limit(cmd.limit);
    if (cmd.json) {
      io.stdout.write(json(jobs.map(jobToDict)));
      return 0;
    }
    if (jobs.length === 0) {
      io.stdout.write("No jobs.\n");
      return 0;
    }
    io.stdout.write(
      formatTable(
        ["JOB", "PROJECT", "STATUS", "TRIGGER", "PROGRESS", "CREATED", "DURATION", "MERGED", "SUMMARIES", "ARCHIVED", "PROMOTED"],
        jobs.map((j) => [
          j.id,
          j.projectId,
          j.rolledBackAt ? `${j.status} (rolled back)` : j.status,
          j.triggerType,
          `${Math.round(j.progress * 100)}%`,
          j.createdAt.toISOString().replace(/\.\d+Z$/, "Z"),
          j.durationSeconds == null ? "-" : `${j.durationSeconds.toFixed(1)}s`,
          String(j.memoriesMerged),
          String(j.summariesCreated),
          String(j.memoriesArchived),
          String(j.memoriesPromoted),
        ]),
      ),
    );
    return 0;
  } finally {
    await db.close();
  }
}
