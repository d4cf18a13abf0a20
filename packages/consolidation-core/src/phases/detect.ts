import { MEMORY_TYPES, readVector, roundVector, queryRows } from "@memcons/models";
import { sql } from "drizzle-orm";
import { candidateFilter, jobEpoch } from "../candidates.js";
import { type PhaseContext, checkAborted } from "../phase-context.js";
import { type Cluster, completeLinkageClusters } from "../detect/clusters.js";
import { separateContradictions, type StoppedPair } from "../detect/guard.js";
import { exhaustiveRowPairs, type LshStats, lshRowPairsAsync } from "../detect/lsh.js";
import { type EmbedRequest, startHashingEmbedPool } from "../embedding/embed-pool.js";
import { emptyRows, type RowVectors, RowsBuilder } from "../embedding/rows.js";
import { PooledTasks, type TaskPool } from "../threads/task-pool.js";
import { THREADED_MIN_ROWS, threadCount } from "../threads/threads.js";
import { EmbeddingDimensionError } from "../errors.js";
import { versionedVectors } from "../store.js";
import { memoryText } from "../text.js";

/** The job's candidate memories, with their embeddings. */
export interface Candidates {
  ids: string[];
  versions: Int32Array;
  types: string[];
  /** n unit vectors of dims floats (none when loaded without embeddings). */
  vectors: RowVectors;
  dims: number;
  n: number;
  /** 1 for rows whose embedding was computed in this run (missing, of another dimension or model); stored later. */
  computed: Uint8Array;
  /** 1 for rows the merge already wrote (duplicate flag and embedding); finalize skips them. */
  settled: Uint8Array;
  /** How many embeddings were computed. */
  embedded: number;
  /** Milliseconds spent embedding (while at least one batch ran, when several run at once). */
  embedMs: number;
  /** Threads that embedded (1: the embedder ran on the calling thread). */
  embedThreads: number;
}

/** Result of the detect phase. */
export interface DetectResult {
  candidates: Candidates;
  clusters: Cluster[];
  lsh: LshStats;
  similarPairs: number;
  /** Similar pairs the contradiction guard kept out of every cluster (ids, similarity, reason). */
  stoppedPairs: StoppedPair[];
  /** `lsh` or, for small candidate sets, `exhaustive`; `given` when a proposal or plan names the clusters. */
  method: "lsh" | "exhaustive" | "given";
  lshMs: number;
  clusterMs: number;
  guardMs: number;
  /** Threads the contradiction guard analyzed texts on (1: the calling thread alone). */
  guardThreads: number;
}

const PAGE = 5000;
const EMBED_BATCH = 500;
/** Below this many candidates exhaustive comparison is faster than LSH (and exact). */
const EXHAUSTIVE_MAX = 1000;

interface CandidateRow extends Record<string, unknown> {
  id: string;
  version: number;
  /** The stored vector in binary form (array_send); null when it must be computed. */
  emb: Uint8Array | null;
  execution_summary: string | null;
  goal: string | null;
  result: string | null;
  feedback: string | null;
}

/**
 * Loads candidates page by page and embeds the ones without a usable embedding. The new embeddings are
 * stored later in the same row writes that merge or finalize make anyway (one tuple write per row), or
 * at once when the embedder asks for it (`storeImmediately`).
 */
export async function loadCandidates(ctx: PhaseContext, withEmbeddings: boolean): Promise<Candidates> {
  const dims = ctx.embedder.dimensions;
  const ids: string[] = [];
  const versions: number[] = [];
  const types: string[] = [];
  const computed: number[] = [];
  const filter = candidateFilter(ctx, await jobEpoch(ctx));
  // Each page's vectors are collected in a matrix of its own, then added to rows sized by a count (grown if rows
  // arrive meanwhile), sparse when embeddings are mostly zeros, in shared memory so the pair search's worker threads
  // read them without a copy.
  let expected = 0;
  if (withEmbeddings) {
    const [counted] = await queryRows<{ n: number }>(ctx.db.orm, sql`SELECT count(*)::int AS n FROM memcons.task_memories t WHERE ${filter}`);
    expected = Number(counted?.n ?? 0);
  }
  const builder = new RowsBuilder(dims, expected, expected >= THREADED_MIN_ROWS);
  // Large sets are embedded on worker threads when the embedder is the built-in hashing one (identified by its model),
  // started with the first batch to embed.
  const threaded: { pool: TaskPool<EmbedRequest, Float32Array> | null; batches: PooledTasks | null; tried: boolean } = {
    pool: null,
    batches: null,
    tried: !(withEmbeddings && expected >= THREADED_MIN_ROWS),
  };
  const startPool = () => {
    if (threaded.tried) return;
    threaded.tried = true;
    threaded.pool = startHashingEmbedPool(ctx.embedder.model, threadCount(ctx.threads, expected));
    threaded.batches = threaded.pool ? new PooledTasks(threaded.pool.size) : null;
  };
  let embedded = 0;
  const timing = { embedMs: 0 };
  // Vectors of another model (or of unknown origin) are never compared with this one's: they are re-embedded.
  const missing = sql`(t.context_embedding IS NULL OR cardinality(t.context_embedding) <> ${dims}
    OR t.embedding_model IS DISTINCT FROM ${ctx.embedder.model})`;
  // A type at a time, in keyset pages on (project, type, id): each page reads one page of the index.
  const fetchPage = (type: string, after: string | null): Promise<CandidateRow[]> =>
    queryRows<CandidateRow>(ctx.db.orm,
      withEmbeddings
        ? sql`SELECT t.id, t.version,
              CASE WHEN ${missing} THEN NULL ELSE array_send(t.context_embedding) END AS emb,
              CASE WHEN ${missing} THEN t.execution_summary END AS execution_summary,
              CASE WHEN ${missing} THEN t.goal END AS goal,
              CASE WHEN ${missing} THEN t.result END AS result,
              CASE WHEN ${missing} THEN t.feedback END AS feedback
            FROM memcons.task_memories t
            WHERE ${filter} AND t.memory_type = ${type} ${after ? sql`AND t.id > ${after}::uuid` : sql``}
            ORDER BY t.id LIMIT ${PAGE}`
        : sql`SELECT t.id, t.version FROM memcons.task_memories t
            WHERE ${filter} AND t.memory_type = ${type} ${after ? sql`AND t.id > ${after}::uuid` : sql``}
            ORDER BY t.id LIMIT ${PAGE}`,
    );
  /** The page after one of `length` rows ending at `last` of type MEMORY_TYPES[typeIndex] (empty when none is left). */
  const fetchNext = async (typeIndex: number, length: number, last: string | null): Promise<{ typeIndex: number; rows: CandidateRow[] }> => {
    let index = typeIndex;
    let after = length === PAGE ? last : null;
    if (after === null && length > 0) index++;
    for (; index < MEMORY_TYPES.length; index++, after = null) {
      const rows = await fetchPage(MEMORY_TYPES[index] as string, after);
      if (rows.length > 0) return { typeIndex: index, rows };
    }
    return { typeIndex: index, rows: [] };
  };
  // The next page is fetched (keyset on type, id) while this one is embedded.
  let next = fetchNext(0, 0, null);
  try {
    for (;;) {
      checkAborted(ctx);
      const { typeIndex, rows: page } = await next;
      if (page.length === 0) break;
      next = fetchNext(typeIndex, page.length, (page[page.length - 1] as CandidateRow).id);
      next.catch(() => undefined); // surfaced by the await above; avoids an unhandled rejection meanwhile
      // A page holds one type: every row refers to the one string of its type, not to a copy of its own.
      const type = MEMORY_TYPES[typeIndex] as string;
      for (const row of page) {
        ids.push(row.id);
        versions.push(Number(row.version));
        types.push(type);
      }
      if (withEmbeddings) {
        const offset = ids.length - page.length;
        const matrix = new Float32Array(page.length * dims);
        const toEmbed: number[] = [];
        page.forEach((row, i) => {
          computed.push(row.emb == null ? 1 : 0);
          // A stored vector with a non-finite or NULL element is similar to nothing.
          if (row.emb != null) {
            if (!readVector(row.emb, matrix, i * dims, dims)) matrix.fill(Number.NaN, i * dims, (i + 1) * dims);
          } else toEmbed.push(i);
        });
        if (toEmbed.length > 0) startPool();
        // The page joins the rows once its last batch is embedded.
        let unembedded = Math.ceil(toEmbed.length / EMBED_BATCH);
        if (unembedded === 0) builder.setRows(offset, matrix, page.length);
        for (let start = 0; start < toEmbed.length; start += EMBED_BATCH) {
          checkAborted(ctx);
          const batch = toEmbed.slice(start, start + EMBED_BATCH);
          const { pool, batches } = threaded;
          const embedAndStore = async () => {
            const count = await embedBatch(ctx, page, batch, matrix, pool ? null : timing, pool);
            embedded += count;
            if (ctx.embedder.storeImmediately) {
              await storeEmbeddings(ctx, page, batch, matrix);
              for (const i of batch) computed[offset + i] = 0;
            }
            if (--unembedded === 0) builder.setRows(offset, matrix, page.length);
          };
          await (batches ? batches.add(embedAndStore) : embedAndStore());
        }
      }
    }
    await threaded.batches?.drain();
  } catch (error) {
    // Nothing keeps running after the job stops: wait for the prefetch and the batches in flight.
    await Promise.allSettled([next, threaded.batches?.drain()]);
    throw error;
  } finally {
    await threaded.pool?.close();
  }
  if (threaded.batches) timing.embedMs += threaded.batches.busyMs;
  const n = ids.length;
  return {
    ids,
    versions: Int32Array.from(versions),
    types,
    vectors: withEmbeddings ? builder.finish(n) : emptyRows(dims),
    dims,
    n,
    computed: withEmbeddings ? Uint8Array.from(computed) : new Uint8Array(n),
    settled: new Uint8Array(n),
    embedded,
    ...timing,
    embedThreads: threaded.pool?.size ?? 1,
  };
}

async function embedBatch(
  ctx: PhaseContext,
  page: CandidateRow[],
  batch: number[],
  matrix: Float32Array,
  timing: { embedMs: number } | null,
  pool: TaskPool<EmbedRequest, Float32Array> | null,
): Promise<number> {
  const started = Date.now();
  const dims = ctx.embedder.dimensions;
  const texts = batch.map((i) => {
    const row = page[i] as CandidateRow;
    return memoryText({
      executionSummary: row.execution_summary ?? "",
      goal: row.goal,
      result: row.result,
      feedback: row.feedback,
    });
  });
  const vectors = pool ? rowsOf(await pool.run(texts), dims) : await ctx.embedder.embed(texts, ctx.signal);
  batch.forEach((i, k) => {
    const v = vectors[k];
    if (!v || v.length !== dims) throw new EmbeddingDimensionError(dims, v?.length ?? 0, ctx.embedder.model);
    // Rounded now so the vectors compared here are exactly the ones stored later.
    matrix.set(roundVector(v), i * dims);
  });
  if (timing) timing.embedMs += Date.now() - started;
  return batch.length;
}

function rowsOf(rows: Float32Array, dims: number): Float32Array[] {
  return Array.from({ length: rows.length / dims }, (_, k) => rows.subarray(k * dims, (k + 1) * dims));
}

/** Saves freshly computed embeddings of unchanged rows; bookkeeping, so no version bump. */
async function storeEmbeddings(ctx: PhaseContext, page: CandidateRow[], batch: number[], matrix: Float32Array): Promise<void> {
  const dims = ctx.embedder.dimensions;
  const rows = batch.map((i) => {
    const row = page[i] as CandidateRow;
    return { id: row.id, version: Number(row.version), vector: matrix.subarray(i * dims, (i + 1) * dims) };
  });
  await ctx.db.orm.transaction(async (tx) => {
    await queryRows(tx,
      sql`UPDATE memcons.task_memories t SET context_embedding = s.e, embedding_model = ${ctx.embedder.model}
          FROM ${await versionedVectors(tx, rows)} s
          WHERE t.id = s.id AND t.version = s.v`,
    );
  });
}

/**
 * Finds tight clusters among the candidates: LSH candidate pairs, exact cosine, the contradiction guard
 * (a pair it stops is never an edge, so no cluster holds both), complete linkage.
 */
export async function findClusters(ctx: PhaseContext, candidates: Candidates): Promise<DetectResult> {
  const { n, vectors } = candidates;
  const typeIds = new Map<string, number>();
  const groups = ctx.options.allow_cross_type
    ? null
    : Int32Array.from(candidates.types, (t) => {
        let id = typeIds.get(t);
        if (id === undefined) {
          id = typeIds.size;
          typeIds.set(t, id);
        }
        return id;
      });
  const started = Date.now();
  const set = { rows: vectors, groups };
  const threshold = ctx.options.similarity_threshold;
  const { pairs, stats } =
    n <= EXHAUSTIVE_MAX
      ? { pairs: exhaustiveRowPairs(set, threshold), stats: { bucketPairs: 0, hammingPassed: 0, verifiedPairs: (n * (n - 1)) / 2, threads: 1 } }
      : await lshRowPairsAsync(set, threshold, { threads: ctx.threads });
  const searched = Date.now();
  const { kept, stopped, threads: guardThreads } = await separateContradictions(ctx, candidates.ids, pairs);
  const clustered = Date.now();
  const clusters = completeLinkageClusters(n, kept, ctx.options.min_cluster_size);
  return {
    candidates,
    clusters,
    lsh: stats,
    similarPairs: pairs.length,
    stoppedPairs: stopped,
    method: n <= EXHAUSTIVE_MAX ? "exhaustive" : "lsh",
    lshMs: searched - started,
    guardMs: clustered - searched,
    guardThreads,
    clusterMs: Date.now() - clustered,
  };
}
