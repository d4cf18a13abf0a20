import type { TaskMemory } from "@memcons/models";
import { createTestDatabase, testTargets } from "@memcons/models/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExtractiveSynthesizer, runConsolidation, type Synthesizer } from "../src/index.js";
import { createJob, createProject, generateMemories, insertMemories } from "../src/testing/index.js";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

/** The extractive synthesizer, recording the members each call was given. */
function recordingSynthesizer(): Synthesizer & { calls: TaskMemory[][] } {
  const inner = createExtractiveSynthesizer();
  const calls: TaskMemory[][] = [];
  return {
    model: inner.model,
    calls,
    synthesize(memories, signal) {
      calls.push(memories.map((m) => ({ ...m })));
      return inner.synthesize(memories, signal);
    },
  };
}

async function seededJob(db: Db, seed: number): Promise<{ projectId: string; jobId: string }> {
  const projectId = await createProject(db);
  await insertMemories(db, projectId, generateMemories({ count: 150, seed, now: new Date() }));
  return { projectId, jobId: await createJob(db, projectId) };
}

async function summarizeMetrics(db: Db, jobId: string): Promise<{ synthesized_ahead: number; summaries_created: number }> {
  const [row] = await db.rows<{ metrics: unknown }>(sql`SELECT metrics FROM memcons.consolidation_jobs WHERE id = ${jobId}::uuid`);
  const metrics = (typeof row?.metrics === "string" ? JSON.parse(row.metrics) : row?.metrics) as Record<string, Record<string, number>>;
  return metrics.summarize as { synthesized_ahead: number; summaries_created: number };
}

/** The members as stored now, in the fields a synthesizer sees. */
async function storedMembers(db: Db, ids: readonly string[]): Promise<Array<Record<string, unknown>>> {
  const rows = await db.rows<Record<string, unknown>>(sql`SELECT id, execution_summary, is_duplicate, duplicate_of,
      is_consolidated, version, updated_at FROM memcons.task_memories WHERE id IN ${sql.raw(`('${ids.join("','")}')`)}`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const r = byId.get(id) as Record<string, unknown>;
    return {
      id,
      executionSummary: r.execution_summary,
      isDuplicate: r.is_duplicate,
      duplicateOf: r.duplicate_of,
      isConsolidated: r.is_consolidated,
      version: Number(r.version),
      updatedAt: new Date(r.updated_at as string).getTime(),
    };
  });
}

function seen(memories: TaskMemory[]): Array<Record<string, unknown>> {
  return memories.map((m) => ({
    id: m.id,
    executionSummary: m.executionSummary,
    isDuplicate: m.isDuplicate,
    duplicateOf: m.duplicateOf,
    isConsolidated: m.isConsolidated,
    version: m.version,
    updatedAt: m.updatedAt.getTime(),
  }));
}

describe.each(testTargets(process.env.DATABASE_URL))("syntheses made while merging on $driver", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("are made from the members exactly as the merge stored them, and used for every cluster", async () => {
    const { jobId } = await seededJob(db, 21);
    const synthesizer = recordingSynthesizer();
    const result = await runConsolidation(db, jobId, { synthesizer, batchSize: 3 });
    const metrics = await summarizeMetrics(db, jobId);
    expect(result.summaries_created).toBeGreaterThan(2);
    expect(metrics.synthesized_ahead).toBe(result.summaries_created);
    expect(synthesizer.calls).toHaveLength(result.summaries_created);
    for (const call of synthesizer.calls) {
      expect(seen(call)).toEqual(await storedMembers(db, call.map((m) => m.id)));
      expect(call.every((m) => m.isDuplicate && m.version === 2)).toBe(true);
    }
  });

  it("are made again from the stored rows for a cluster whose member changed after the merge", async () => {
    const { projectId, jobId } = await seededJob(db, 22);
    const synthesizer = recordingSynthesizer();
    let edited: string | null = null;
    const result = await runConsolidation(db, jobId, {
      synthesizer,
      batchSize: 3,
      onProgress: async (p) => {
        if (p.phase !== "merge" || edited) return;
        const [job] = await db.rows<{ merged: boolean }>(
          sql`SELECT 'merge' = ANY(phases_completed) AS merged FROM memcons.consolidation_jobs WHERE id = ${jobId}::uuid`,
        );
        if (!job?.merged) return;
        const [member] = await db.rows<{ id: string }>(sql`SELECT s.id FROM memcons.task_memories c
            JOIN memcons.task_memories s ON s.id = c.consolidated_from[1]
            WHERE c.project_id = ${projectId}::uuid AND cardinality(c.consolidated_from) >= 3 ORDER BY c.id LIMIT 1`);
        edited = member?.id ?? null;
        await db.rows(sql`UPDATE memcons.task_memories SET execution_summary = 'Edited after the merge.',
            version = version + 1 WHERE id = ${edited}::uuid`);
      },
    });
    expect(edited).not.toBeNull();
    const metrics = await summarizeMetrics(db, jobId);
    expect(metrics.synthesized_ahead).toBe(result.summaries_created - 1);
    const last = synthesizer.calls.filter((call) => call.some((m) => m.id === edited)).at(-1) as TaskMemory[];
    expect(last.find((m) => m.id === edited)?.executionSummary).toBe("Edited after the merge.");
    expect(last.find((m) => m.id === edited)?.version).toBe(3);
    const [synthesis] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM memcons.task_memories
        WHERE project_id = ${projectId}::uuid AND memory_type = 'synthesis' AND ${edited}::uuid = ANY(synthesized_from)`);
    expect(synthesis?.n).toBe(1);
  });
});
