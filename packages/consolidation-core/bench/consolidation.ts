// Benchmark: a full consolidation job on N generated agent memories against real PostgreSQL.
// Usage (repository root): pnpm bench consolidation [--memories N] [--seed S] [--store-immediately] [--embedded] [--hashing-version 1|2|3]
// --store-immediately saves embeddings as they are computed, as the OpenAI-compatible embedder does.
// --embedded stores each memory with its embedding when it is inserted, as the API's ingest does (untimed, in insert_ms).
// --hashing-version picks the hashing embedder's feature set (default: the library's default, 3).
import { createHashingEmbedder, memoryText, runConsolidation } from "@memcons/consolidation-core";
import { createJob, createProject, generateMemories, insertMemories } from "@memcons/consolidation-core/testing";
import { createTestDatabase } from "@memcons/models/testing";
import { sql } from "drizzle-orm";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const sizes = flag("memories") ? [Number(flag("memories"))] : [1_000, 10_000, 100_000];
const seed = Number(flag("seed") ?? 1);
const CHUNK = 10_000;
const storeImmediately = args.includes("--store-immediately");
const embedded = args.includes("--embedded");
const version = flag("hashing-version");
if (version !== undefined && !["1", "2", "3"].includes(version)) throw new Error(`--hashing-version must be 1, 2 or 3, got ${version}`);
const embedder = { ...createHashingEmbedder(version ? { version: Number(version) as 1 | 2 | 3 } : {}), storeImmediately };

for (const n of sizes) {
  const db = await createTestDatabase({ driver: "postgres", adminUrl });
  try {
    const projectId = await createProject(db, { name: `bench ${n}` });
    // Generated and inserted in chunks of 10,000 so the data set never sits in this process's memory.
    const insertStarted = Date.now();
    const now = new Date();
    for (let chunk = 0; chunk * CHUNK < n; chunk++) {
      const count = Math.min(CHUNK, n - chunk * CHUNK);
      const memories = generateMemories({ count, seed: seed * 1000 + chunk, now });
      // --embedded: each memory is stored with the embedding of its text, as the API's ingest stores it.
      const vectors = embedded ? await embedder.embed(memories.map((m) => memoryText(m))) : undefined;
      await insertMemories(db, projectId, memories, 2000, vectors && { vectors, model: embedder.model });
    }
    const insertMs = Date.now() - insertStarted;
    // Memories arrive over time and autovacuum analyzes the table within a minute of a large insert; the job then
    // plans with current statistics, as here.
    await db.rows(sql`analyze memcons.task_memories`);
    const jobId = await createJob(db, projectId);
    const started = performance.now();
    const result = await runConsolidation(db, jobId, { embedder });
    const totalMs = Math.round(performance.now() - started);
    const metrics = result.metrics as {
      phase_ms?: Record<string, number>;
      reduction_ratio?: number;
      detect?: Record<string, unknown>;
      merge?: Record<string, unknown>;
      finalize?: { ms?: number };
    };
    process.stdout.write(
      `${JSON.stringify({
        bench: "consolidation",
        memories: n,
        embedder: embedder.model,
        store_immediately: storeImmediately,
        embedded,
        total_ms: totalMs,
        phase_ms: metrics.phase_ms,
        detect_ms: {
          embed: metrics.detect?.embed_ms,
          embedding_write: metrics.detect?.embedding_write_ms,
          pair_search: metrics.detect?.lsh_ms,
          guard: metrics.detect?.guard_ms,
          clustering: metrics.detect?.cluster_ms,
        },
        // Summed over the batches written at once, so together they can exceed the phase's wall time.
        merge_ms: { lock: metrics.merge?.lock_ms, embed: metrics.merge?.embed_ms, write: metrics.merge?.write_ms },
        finalize_ms: metrics.finalize?.ms,
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        clusters: result.clusters,
        memories_merged: result.memories_merged,
        summaries_created: result.summaries_created,
        memories_archived: result.memories_archived,
        memories_promoted: result.memories_promoted,
        reduction_ratio: metrics.reduction_ratio,
        insert_ms: insertMs,
      })}\n`,
    );
  } finally {
    await db.close();
  }
}
