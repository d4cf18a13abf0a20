import { consolidationChanges, consolidationJobs, type Database, JobNotFoundError, jobToDict } from "@memcons/models";
import { eq, sql } from "drizzle-orm";
import type { Config } from "../../common/config.js";
import { openDatabase } from "../../common/db.js";

/** Opens the database for a short CLI command: embedded (PGlite) databases are migrated, servers must be current. */
export async function openCliDatabase(config: Config): Promise<Database> {
  const embedded = config.databaseUrl.toLowerCase().startsWith("pglite://");
  const { db } = await openDatabase(config, { migrate: embedded, applicationName: "memcons-cli" });
  return db;
}

/** A job as JSON plus the number of its audit rows per operation. */
export async function describeJob(db: Database, jobId: string) {
  const [job] = await db.orm.select().from(consolidationJobs).where(eq(consolidationJobs.id, jobId)).limit(1);
  if (!job) throw new JobNotFoundError(jobId);
  const changes = await db.orm
    .select({ operation: consolidationChanges.operation, n: sql<number>`count(*)::int` })
    .from(consolidationChanges)
    .where(eq(consolidationChanges.consolidationJobId, jobId))
    .groupBy(consolidationChanges.operation);
  return {
    ...jobToDict(job),
    changes_by_operation: Object.fromEntries(changes.map((c) => [c.operation, Number(c.n)])),
  };
}
