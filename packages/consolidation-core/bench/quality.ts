// Benchmark: clustering quality and preservation on the labelled synthetic set (real PostgreSQL).
// Then one line per labelled pair sample in bench/data and hashing embedder version (v1 and v2 side by side).
// Usage (repository root): pnpm bench quality [--memories N] [--seed S] [--threshold T] [--datasets-only]
import { readFileSync } from "node:fs";
import {
  calibrateThresholds,
  createHashingEmbedder,
  findContradiction,
  type LabelledPair,
  pairSimilarities,
  exhaustiveSimilarPairs,
  lshSimilarPairs,
  memoryText,
  normalizeSentence,
  runConsolidation,
  splitSentences,
} from "@memcons/consolidation-core";
import {
  createJob,
  createProject,
  generateMemories,
  insertMemories,
  pairwiseScores,
} from "@memcons/consolidation-core/testing";
import { createTestDatabase } from "@memcons/models/testing";
import { sql } from "drizzle-orm";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const n = Number(flag("memories", "5000"));
const seed = Number(flag("seed", "7"));
const threshold = Number(flag("threshold", "0.9"));
const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const datasetsOnly = args.includes("--datasets-only");
const round = (x: number) => Math.round(x * 10_000) / 10_000;

interface Row extends Record<string, unknown> {
  id: string;
  memory_type: string;
  duplicate_of: string | null;
  tags: string[];
  file_paths: string[];
  execution_summary: string;
  goal: string | null;
  result: string | null;
  feedback: string | null;
}

if (!datasetsOnly) await syntheticQuality();
await datasetQuality();

async function syntheticQuality(): Promise<void> {
const memories = generateMemories({ count: n, seed, now: new Date() });
const db = await createTestDatabase({ driver: "postgres", adminUrl });
try {
  const projectId = await createProject(db, { name: "quality" });
  await insertMemories(db, projectId, memories);
  const jobId = await createJob(db, projectId, { options: { similarity_threshold: threshold, archive_enabled: false } });
  const result = await runConsolidation(db, jobId);
  const rows = await db.rows<Row>(
    sql`SELECT id, memory_type, duplicate_of, tags, file_paths, execution_summary, goal, result, feedback
        FROM memcons.task_memories WHERE project_id = ${projectId}::uuid`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const label = new Map(memories.map((m) => [m.id, m.label]));
  const generated = memories.map((m) => m.id);
  const predicted = generated.map((id, i) => {
    const dup = byId.get(id)?.duplicate_of;
    return dup ? `c:${dup}` : `s:${i}`;
  });
  const predictedIds = [...new Set(predicted)];
  const scores = pairwiseScores(
    generated.map((id) => label.get(id) as number),
    predicted.map((p) => predictedIds.indexOf(p)),
  );

  // Preservation: every tag, file path and distinct sentence of each source survives in its merged memory.
  let tags = 0;
  let tagsKept = 0;
  let files = 0;
  let filesKept = 0;
  let sentences = 0;
  let sentencesKept = 0;
  for (const source of rows) {
    if (!source.duplicate_of) continue;
    const merged = byId.get(source.duplicate_of) as Row;
    const mergedSentences = new Set(splitSentences(memoryText(fields(merged))).map(normalizeSentence));
    for (const t of source.tags) {
      tags++;
      if (merged.tags.includes(t)) tagsKept++;
    }
    for (const f of source.file_paths) {
      files++;
      if (merged.file_paths.includes(f)) filesKept++;
    }
    for (const s of splitSentences(memoryText(fields(source)))) {
      sentences++;
      if (mergedSentences.has(normalizeSentence(s))) sentencesKept++;
    }
  }

  // Detect recall: LSH candidate pairs against exhaustive search on the same embeddings.
  const embedder = createHashingEmbedder();
  const dims = embedder.dimensions;
  const vectors = new Float32Array(n * dims);
  (await embedder.embed(memories.map((m) => memoryText(m)))).forEach((v, i) => {
    vectors.set(v, i * dims);
  });
  const types = [...new Set(memories.map((m) => m.memoryType))];
  const set = { vectors, dims, n, groups: Int32Array.from(memories, (m) => types.indexOf(m.memoryType)) };
  const exact = exhaustiveSimilarPairs(set, threshold);
  const lsh = new Set(lshSimilarPairs(set, threshold).pairs.map((p) => `${p.i}:${p.j}`));
  const detectRecall = exact.length === 0 ? 1 : exact.filter((p) => lsh.has(`${p.i}:${p.j}`)).length / exact.length;

  process.stdout.write(
    `${JSON.stringify({
      bench: "quality",
      dataset: "synthetic",
      embedder: embedder.model,
      memories: n,
      threshold,
      true_clusters: new Set(memories.map((m) => m.label)).size,
      clusters_found: result.clusters,
      precision: round(scores.precision),
      recall: round(scores.recall),
      f1: round(scores.f1),
      detect_recall_vs_exhaustive: round(detectRecall),
      tags_preserved: round(tags === 0 ? 1 : tagsKept / tags),
      file_paths_preserved: round(files === 0 ? 1 : filesKept / files),
      sentences_preserved: round(sentences === 0 ? 1 : sentencesKept / sentences),
    })}\n`,
  );
} finally {
  await db.close();
}
}

/** Pair-level quality on the shipped labelled samples: merged = similarity ≥ threshold and the guard lets the pair pass. */
async function datasetQuality(): Promise<void> {
  const datasets = [
    { name: "sick-sample", file: "sick-sample.tsv", a: "sentence_a", b: "sentence_b", contradiction: (r: Record<string, string>) => r.entailment === "CONTRADICTION" },
    { name: "agent-pairs", file: "agent-pairs.tsv", a: "text_a", b: "text_b", contradiction: (r: Record<string, string>) => r.label === "0" },
  ];
  for (const dataset of datasets) {
    const records = readTsv(new URL(`./data/${dataset.file}`, import.meta.url));
    const pairs: LabelledPair[] = records.map((r) => ({ a: r[dataset.a] as string, b: r[dataset.b] as string, same: r.label === "1" }));
    const stopped = pairs.map((p) => findContradiction(p.a, p.b) !== null);
    for (const version of [1, 2, 3] as const) {
      const embedder = createHashingEmbedder({ version });
      const calibration = await calibrateThresholds(embedder, pairs, { thresholds: [threshold] });
      const score = calibration.scores[0] as { precision: number; recall: number; f1: number };
      const similarities = await pairSimilarities(embedder, pairs);
      let contradictions = 0;
      let contradictionsMerged = 0;
      let contradictionsMergedWithoutGuard = 0;
      records.forEach((r, i) => {
        if (!dataset.contradiction(r)) return;
        contradictions++;
        if ((similarities[i] as number) < threshold) return;
        contradictionsMergedWithoutGuard++;
        if (!stopped[i]) contradictionsMerged++;
      });
      process.stdout.write(
        `${JSON.stringify({
          bench: "quality",
          dataset: dataset.name,
          embedder: embedder.model,
          threshold,
          pairs: pairs.length,
          positives: calibration.positives,
          precision: round(score.precision),
          recall: round(score.recall),
          f1: round(score.f1),
          contradictions,
          contradictions_merged: contradictionsMerged,
          contradictions_merged_without_guard: contradictionsMergedWithoutGuard,
          guard_stopped: calibration.guard_stopped,
        })}\n`,
      );
    }
  }
}

function readTsv(url: URL): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(url, "utf8").trimEnd().split("\n");
  const columns = (header as string).split("\t");
  return lines.map((line) => Object.fromEntries(line.split("\t").map((value, i) => [columns[i] as string, value])));
}

function fields(r: Row) {
  return { executionSummary: r.execution_summary, goal: r.goal, result: r.result, feedback: r.feedback };
}
