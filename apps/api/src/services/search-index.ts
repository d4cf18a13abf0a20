import { type Database, MEMORY_TYPES, type MemoryType, readVector } from "@memcons/models";
import { sql } from "drizzle-orm";

/** Which memories a search ranks. */
export interface SearchFilter {
  includeArchived: boolean;
  includeDuplicates: boolean;
  memoryType?: MemoryType | undefined;
}

/** One ranked memory. */
export interface RankedMemory {
  id: string;
  similarity: number;
}

/** Settings of a SearchIndex. */
export interface SearchIndexOptions {
  /** Most vectors kept in memory over all projects (default 300,000); a larger project is ranked uncached. */
  maxVectors?: number;
}

const ARCHIVED = 1;
const DUPLICATE = 2;
const USABLE = 4;
const TYPE_CODES = new Map<string, number>(MEMORY_TYPES.map((type, i) => [type, i]));

type DeltaRow = {
  id: string;
  memory_type: string;
  is_archived: boolean;
  is_duplicate: boolean;
  embedding: Uint8Array | null;
};

/** The vectors of one project, as of a transaction-id horizon. */
class ProjectVectors {
  readonly dimensions: number;
  /** Only vectors this model made are usable (null: any model). */
  readonly model: string | null;
  ids: string[] = [];
  vectors: Float32Array;
  norms: Float64Array;
  flags: Uint8Array;
  types: Uint8Array;
  readonly slots = new Map<string, number>();
  /** Every row written by a transaction older than this was read (pg_snapshot_xmin of the reading statement). */
  horizon = "0";
  lastUsed = 0;

  constructor(dimensions: number, model: string | null, capacity = 1024) {
    this.dimensions = dimensions;
    this.model = model;
    this.vectors = new Float32Array(capacity * dimensions);
    this.norms = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.types = new Uint8Array(capacity);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Inserts or overwrites the row of one memory. */
  put(row: DeltaRow): void {
    let slot = this.slots.get(row.id);
    if (slot === undefined) {
      slot = this.ids.length;
      if (slot === this.norms.length) this.#grow();
      this.ids.push(row.id);
      this.slots.set(row.id, slot);
    }
    const usable = row.embedding !== null && readVector(row.embedding, this.vectors, slot * this.dimensions, this.dimensions);
    let norm = 0;
    if (usable) {
      const offset = slot * this.dimensions;
      for (let i = 0; i < this.dimensions; i++) norm += this.vectors[offset + i]! * this.vectors[offset + i]!;
    }
    this.norms[slot] = Math.sqrt(norm);
    this.flags[slot] = (row.is_archived ? ARCHIVED : 0) | (row.is_duplicate ? DUPLICATE : 0) | (usable ? USABLE : 0);
    this.types[slot] = TYPE_CODES.get(row.memory_type) ?? 255;
  }

  #grow(): void {
    const capacity = this.norms.length * 2;
    const vectors = new Float32Array(capacity * this.dimensions);
    vectors.set(this.vectors);
    this.vectors = vectors;
    for (const key of ["norms", "flags", "types"] as const) {
      const bigger = new (this[key].constructor as Float64ArrayConstructor | Uint8ArrayConstructor)(capacity);
      bigger.set(this[key]);
      (this as Record<typeof key, Float64Array | Uint8Array>)[key] = bigger;
    }
  }

  /** Exact top `take` memories by cosine similarity to `query` (ties by id), and how many matched the filter. */
  rank(query: Float32Array, filter: SearchFilter, take: number): { ranked: RankedMemory[]; total: number } {
    const dims = this.dimensions;
    let queryNorm = 0;
    for (let i = 0; i < dims; i++) queryNorm += query[i]! * query[i]!;
    queryNorm = Math.sqrt(queryNorm);
    const skip = (filter.includeArchived ? 0 : ARCHIVED) | (filter.includeDuplicates ? 0 : DUPLICATE);
    const type = filter.memoryType === undefined ? -1 : (TYPE_CODES.get(filter.memoryType) ?? -2);
    const heap = new TopK(take, this.ids);
    const vectors = this.vectors;
    // A short query through a hashing embedder sets few dimensions: multiply only those.
    const nonZero = nonZeroDimensions(query, dims);
    let total = 0;
    for (let slot = 0; slot < this.ids.length; slot++) {
      const flags = this.flags[slot]!;
      if ((flags & USABLE) === 0 || (flags & skip) !== 0) continue;
      if (type !== -1 && this.types[slot] !== type) continue;
      total++;
      const norm = this.norms[slot]!;
      let similarity = 0;
      if (norm !== 0 && queryNorm !== 0) {
        const dot = nonZero
          ? sparseDotProduct(query, nonZero, vectors, slot * dims)
          : dotProduct(query, vectors, slot * dims, dims);
        similarity = dot / (queryNorm * norm);
      }
      heap.offer(slot, similarity);
    }
    return { ranked: heap.sorted().map(({ slot, similarity }) => ({ id: this.ids[slot]!, similarity })), total };
  }
}

/** The dimensions where `query` is not zero, or null when more than a quarter are (a dense loop is faster then). */
function nonZeroDimensions(query: Float32Array, dims: number): Int32Array | null {
  const found: number[] = [];
  for (let i = 0; i < dims; i++) {
    if (query[i] !== 0) {
      found.push(i);
      if (found.length * 4 > dims) return null;
    }
  }
  return Int32Array.from(found);
}

/** Dot product of `query` with the vector at `offset`, over the dimensions in `nonZero` only. */
function sparseDotProduct(query: Float32Array, nonZero: Int32Array, vectors: Float32Array, offset: number): number {
  let dot = 0;
  for (let k = 0; k < nonZero.length; k++) {
    const i = nonZero[k]!;
    dot += query[i]! * vectors[offset + i]!;
  }
  return dot;
}

/** Dot product of `query` with the `dims` values of `vectors` at `offset`; four running sums, about twice as fast as one. */
function dotProduct(query: Float32Array, vectors: Float32Array, offset: number, dims: number): number {
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  let i = 0;
  for (; i + 3 < dims; i += 4) {
    d0 += query[i]! * vectors[offset + i]!;
    d1 += query[i + 1]! * vectors[offset + i + 1]!;
    d2 += query[i + 2]! * vectors[offset + i + 2]!;
    d3 += query[i + 3]! * vectors[offset + i + 3]!;
  }
  for (; i < dims; i++) d0 += query[i]! * vectors[offset + i]!;
  return d0 + d1 + d2 + d3;
}

/** Keeps the best `k` (slot, similarity) pairs: highest similarity first, then smallest id. */
class TopK {
  readonly #k: number;
  readonly #ids: readonly string[];
  readonly #slots: number[] = [];
  readonly #scores: number[] = [];

  constructor(k: number, ids: readonly string[]) {
    this.#k = k;
    this.#ids = ids;
  }

  /** True when (a, sa) ranks below (b, sb). */
  #worse(sa: number, a: number, sb: number, b: number): boolean {
    return sa < sb || (sa === sb && this.#ids[a]! > this.#ids[b]!);
  }

  offer(slot: number, score: number): void {
    if (this.#k === 0) return;
    const slots = this.#slots;
    const scores = this.#scores;
    if (slots.length < this.#k) {
      slots.push(slot);
      scores.push(score);
      let i = slots.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.#worse(scores[i]!, slots[i]!, scores[parent]!, slots[parent]!)) break;
        this.#swap(i, parent);
        i = parent;
      }
      return;
    }
    if (!this.#worse(scores[0]!, slots[0]!, score, slot)) return;
    slots[0] = slot;
    scores[0] = score;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < slots.length && this.#worse(scores[left]!, slots[left]!, scores[worst]!, slots[worst]!)) worst = left;
      if (right < slots.length && this.#worse(scores[right]!, slots[right]!, scores[worst]!, slots[worst]!)) worst = right;
      if (worst === i) return;
      this.#swap(i, worst);
      i = worst;
    }
  }

  #swap(a: number, b: number): void {
    [this.#slots[a], this.#slots[b]] = [this.#slots[b]!, this.#slots[a]!];
    [this.#scores[a], this.#scores[b]] = [this.#scores[b]!, this.#scores[a]!];
  }

  sorted(): Array<{ slot: number; similarity: number }> {
    return this.#slots
      .map((slot, i) => ({ slot, similarity: this.#scores[i]! }))
      .sort((a, b) => b.similarity - a.similarity || (this.#ids[a.slot]! < this.#ids[b.slot]! ? -1 : 1));
  }
}

/**
 * An in-process cache of each project's memory vectors for exact `q=` search over every memory. Before
 * each search it reads only the rows written since its horizon (a trigger stamps every insert and update
 * with its transaction id) and reloads when rows were deleted, so writes by other processes show up.
 */
export class SearchIndex {
  readonly #maxVectors: number;
  readonly #projects = new Map<string, ProjectVectors>();
  readonly #locks = new Map<string, Promise<unknown>>();
  #clock = 0;

  constructor(options: SearchIndexOptions = {}) {
    this.#maxVectors = options.maxVectors ?? 300_000;
  }

  /**
   * Ranks the project's memories matching `filter` by similarity to `query`; the best `take`, and how many matched.
   * With `model`, only vectors that model made are compared (vectors of different models are not comparable).
   */
  async rank(
    db: Database,
    projectId: string,
    query: Float32Array,
    filter: SearchFilter,
    take: number,
    model: string | null = null,
  ): Promise<{ ranked: RankedMemory[]; total: number }> {
    const previous = this.#locks.get(projectId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#rankLocked(db, projectId, query, filter, take, model));
    this.#locks.set(projectId, run);
    try {
      return await run;
    } finally {
      if (this.#locks.get(projectId) === run) this.#locks.delete(projectId);
    }
  }

  async #rankLocked(
    db: Database,
    projectId: string,
    query: Float32Array,
    filter: SearchFilter,
    take: number,
    model: string | null,
  ): Promise<{ ranked: RankedMemory[]; total: number }> {
    let entry = this.#projects.get(projectId);
    if (entry && (entry.dimensions !== query.length || entry.model !== model)) entry = undefined;
    entry = await this.#refresh(db, projectId, entry ?? new ProjectVectors(query.length, model));
    entry.lastUsed = ++this.#clock;
    const result = entry.rank(query, filter, take);
    if (entry.size <= this.#maxVectors) {
      this.#projects.set(projectId, entry);
      this.#evict(projectId);
    } else {
      this.#projects.delete(projectId);
    }
    return result;
  }

  /**
   * Brings `entry` up to date: the rows written since its horizon, or everything again after a delete. One
   * statement reads the new horizon, the row count and the changed rows under one snapshot.
   */
  async #refresh(db: Database, projectId: string, entry: ProjectVectors): Promise<ProjectVectors> {
    const embedding =
      entry.model === null
        ? sql`array_send(context_embedding)`
        : sql`case when embedding_model = ${entry.model} then array_send(context_embedding) end`;
    const rows = await db.rows<DeltaRow & { horizon: string; total: number }>(sql`
      select h.horizon, h.total, d.*
        from (select pg_snapshot_xmin(pg_current_snapshot())::text as horizon,
                     (select count(*)::int from memcons.task_memories where project_id = ${projectId}) as total) h
        left join lateral (
          select id, memory_type, is_archived, is_duplicate, ${embedding} as embedding
            from memcons.task_memories
           where project_id = ${projectId} and search_xid >= ${entry.horizon}::bigint) d on true`);
    for (const row of rows) if (row.id !== null) entry.put(row);
    entry.horizon = rows[0]!.horizon;
    // A deleted row is still in the cache: start over (deletes are rare: rollbacks and project deletion).
    if (entry.size > rows[0]!.total) return this.#refresh(db, projectId, new ProjectVectors(entry.dimensions, entry.model));
    return entry;
  }

  #evict(keep: string): void {
    let cached = 0;
    for (const entry of this.#projects.values()) cached += entry.size;
    while (cached > this.#maxVectors) {
      let oldest: [string, ProjectVectors] | undefined;
      for (const item of this.#projects) if (item[0] !== keep && (!oldest || item[1].lastUsed < oldest[1].lastUsed)) oldest = item;
      if (!oldest) return;
      this.#projects.delete(oldest[0]);
      cached -= oldest[1].size;
    }
  }
}
