/** Cosine similarity of two vectors of equal length (0 when either is all zeros). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** Dot product of two rows of a flat matrix (for unit vectors this is their cosine). */
export function dotRows(matrix: Float32Array, dims: number, i: number, j: number): number {
  let dot = 0;
  const a = i * dims;
  const b = j * dims;
  for (let k = 0; k < dims; k++) dot += (matrix[a + k] as number) * (matrix[b + k] as number);
  return dot;
}

/** Scales a vector to unit length in place; returns it. */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += (v[i] as number) * (v[i] as number);
  if (norm === 0) return v;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * inv;
  return v;
}
