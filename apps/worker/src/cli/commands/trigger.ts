import { userInfo } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { consolidationJobs, type ConsolidationJob, type Database, isTerminalStatus } from "@memcons/models";
import { createJobRunner, triggerConsolidation } from "@memcons/scheduler";
import { eq } from "drizzle-orm";
import type { CliIo, OutputStream } from "../io.js";
import type { Command } from "../parse.js";
import { type Config, loadConfig } from "../../common/config.js";
import { json, progressBar } from "../format.js";
import { createLogger } from "../../common/logger.js";
import { createProviders } from "../../common/providers.js";
import { consolidationHandler } from "../../worker/worker.js";
import { describeJob, openCliDatabase } from "./shared.js";

/** `memcons trigger <projectId>`: queues a manual job; with --wait, follows it to the end. */
export async function triggerCommand(cmd: Extract<Command, { name: "trigger" }>, io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const db = await openCliDatabase(config);
  try {
    const { job, created } = await triggerConsolidation(db, {
      projectId: cmd.projectId,
      triggerType: "manual",
      options: cmd.options,
      triggeredBy: `cli:${safeUser()}`,
    });
    if (!cmd.wait) {
      io.stdout.write(json({ job_id: job.id, project_id: job.projectId, status: job.status, created }));
      return 0;
    }
    io.stderr.write(`${created ? "Queued" : "Following the active"} job ${job.id}\n`);
    const stopLocalRunner = db.driver === "pglite" ? await startLocalRunner(db, config) : null;
    try {
      const final = await waitForJob(db, job.id, io.stderr, io.shutdown);
      io.stdout.write(json(await describeJob(db, job.id)));
      return final?.status === "completed" ? 0 : 1;
    } finally {
      await stopLocalRunner?.();
    }
  } finally {
    await db.close();
  }
}

/**
 * An embedded (PGlite) database belongs to this process alone, so no worker elsewhere can run the
 * job: run it here, with the same engine and providers as the worker.
 */
async function startLocalRunner(db: Database, config: Config): Promise<() => Promise<void>> {
  const runner = createJobRunner({
    db,
    concurrency: 1,
    workerId: `cli-${process.pid}`,
    leaseMs: config.leaseMs,
    heartbeatMs: config.heartbeatMs,
    pollIntervalMs: 200,
    jobTimeoutMs: config.jobTimeoutMs,
    logger: createLogger(config.logLevel === "info" ? "warn" : config.logLevel, { fd: 2 }),
    engine: consolidationHandler({ ...createProviders(config), actor: "cli" }),
  });
  await runner.start();
  return () => runner.stop({ graceMs: 0 });
}

/** Polls the job row until it ends, drawing a progress bar on `out`; null when interrupted. */
export async function waitForJob(
  db: Database,
  jobId: string,
  out: OutputStream,
  signal: AbortSignal,
  pollMs = 250,
): Promise<ConsolidationJob | null> {
  let last = "";
  while (!signal.aborted) {
    const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId)).limit(1);
    if (!job) return null;
    const phase = job.phasesCompleted.at(-1);
    const line = `${progressBar(job.progress)} ${job.status}${phase ? ` (done: ${job.phasesCompleted.join(", ")})` : ""}`;
    if (line !== last) {
      out.write(out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
      last = line;
    }
    if (isTerminalStatus(job.status)) {
      if (out.isTTY) out.write("\n");
      if (job.errorMessage) out.write(`${job.status}: ${job.errorMessage}\n`);
      return job;
    }
    await sleep(pollMs, undefined, { signal }).catch(() => {});
  }
  if (out.isTTY) out.write("\n");
  return null;
}

function safeUser(): string {
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}
