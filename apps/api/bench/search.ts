// Search benchmark: `pnpm bench search [--memories 100000] [--queries 200] [--dimensions 256]`.
// One project of N memories with random vectors on PostgreSQL (DATABASE_URL, else the local server);
// q= searches through the API app in-process (embedding, cache refresh, exact ranking, page read).
// Prints the first (cold: loads the project's vectors) search and the p50/p95 of the warm ones.
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createApiApp } from "@memcons/api";
import { createHashingEmbedder } from "@memcons/consolidation-core";
import { createTestDatabase } from "@memcons/models/testing";
import { sql } from "drizzle-orm";

const { values } = parseArgs({
  options: {
    memories: { type: "string", default: "100000" },
    queries: { type: "string", default: "200" },
    dimensions: { type: "string", default: "256" },
  },
});
const memories = positive("memories", values.memories);
const queries = positive("queries", values.queries);
const dimensions = positive("dimensions", values.dimensions);
const TOKEN = "bench-search-token";
const WORDS = ["webhook", "retry", "cache", "login", "migration", "pool", "timeout", "flaky", "index", "deploy"];

const db = await createTestDatabase({
  driver: "postgres",
  adminUrl: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
});
try {
  const [project] = await db.rows<{ id: string }>(sql`insert into projects (name) values ('search bench') returning id`);
  for (let done = 0; done < memories; done += 10_000) {
    await db.rows(sql`
      insert into task_memories (project_id, memory_type, execution_summary, context_embedding, embedding_model)
      select ${project!.id}, 'learning', 'memory ' || g,
             array(select (random() * 2 - 1 + g * 0)::real from generate_series(1, ${dimensions}::int)),
             ${createHashingEmbedder({ dimensions }).model}
        from generate_series(${done + 1}::int, ${Math.min(memories, done + 10_000)}::int) g`);
  }
  await db.rows(sql`vacuum analyze task_memories`);
  const app = createApiApp({ db, adminTokens: [TOKEN], embedder: createHashingEmbedder({ dimensions }) });
  const search = async (i: number): Promise<number> => {
    const q = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7 + 3) % WORDS.length]} ${i}`;
    const started = performance.now();
    const res = await app.request(`/api/v1/projects/${project!.id}/memories?q=${encodeURIComponent(q)}&limit=10`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const body = (await res.json()) as { memories: unknown[] };
    if (res.status !== 200 || body.memories.length !== 10) throw new Error(`search failed: ${res.status}`);
    return performance.now() - started;
  };
  const coldMs = await search(0);
  const samples: number[] = [];
  for (let i = 1; i <= queries; i++) samples.push(await search(i));
  samples.sort((a, b) => a - b);
  const at = (q: number) => round(samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)]!);
  process.stdout.write(
    `${JSON.stringify({
      bench: "search",
      memories,
      dimensions,
      queries,
      cold_ms: round(coldMs),
      p50_ms: at(0.5),
      p95_ms: at(0.95),
      max_ms: at(1),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
      load_avg_1m: round(loadavg()[0] ?? 0),
    })}\n`,
  );
} finally {
  await db.close();
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
