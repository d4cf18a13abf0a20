/**
 * The forms of the `real[]` embedding columns, shared by every reader and writer: vectors are stored at
 * 6 decimals; a few are sent as PostgreSQL array literals (`{0.1,-0.02}`), which PostgreSQL parses about
 * twice as fast as a JSON array, batches in binary COPY (copyVectors); they are read back in binary form
 * (`array_send`), which is cheaper on both sides than text.
 */

/** Decimals an embedding is stored with. */
export const VECTOR_DECIMALS = 6;

/** One element rounded to the stored precision. */
export function roundElement(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Rounds a vector to the stored precision in place; returns it. */
export function roundVector(v: Float32Array): Float32Array {
  for (let i = 0; i < v.length; i++) v[i] = roundElement(v[i] as number);
  return v;
}

/**
 * Rounds a vector to the stored precision (in place) and renders it as a JSON string holding a
 * PostgreSQL array literal, e.g. "{0.1,-0.02}", to embed in a JSON document and cast with `::real[]`.
 */
export function vectorJson(v: Float32Array): string {
  // Integers with an exponent ("88388e-6") format much faster than decimals, parse to the same float,
  // and a typed array's native join builds one flat string instead of hundreds of pieces.
  const micro = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const m = Math.round((v[i] as number) * 1e6);
    micro[i] = m;
    v[i] = m / 1e6;
  }
  return v.length === 0 ? '"{}"' : `"{${micro.join("e-6,")}e-6}"`;
}

/**
 * Parses a vector in text form, `{0.1,-2,3e-05}` (a `real[]` as PostgreSQL prints it) or `0.1,-2,3e-05`
 * (`array_to_string(…, ',')`), into `into` from `offset`; returns false when an element is not a finite
 * number (NaN, Infinity, NULL), whose slots then hold NaN.
 */
export function parseVectorInto(text: string, into: Float32Array, offset = 0): boolean {
  const braced = text.charCodeAt(0) === 123;
  const first = braced ? 1 : 0;
  const last = braced ? text.length - 1 : text.length;
  if (last <= first) return true;
  let finite = true;
  let start = first;
  let k = offset;
  for (let i = first; i <= last; i++) {
    if (i === last || text.charCodeAt(i) === 44) {
      const value = Number(text.slice(start, i));
      if (!Number.isFinite(value)) finite = false;
      into[k++] = value;
      start = i + 1;
    }
  }
  return finite;
}

/** Parses a vector in text form (see parseVectorInto) into a new Float32Array; null unless every element is a finite number. */
export function parseVector(text: string): Float32Array | null {
  const braced = text.charCodeAt(0) === 123;
  const body = braced ? text.length - 2 : text.length;
  if (body <= 0) return new Float32Array(0);
  let count = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 44) count++;
  const vector = new Float32Array(count);
  return parseVectorInto(text, vector) ? vector : null;
}

/**
 * Copies a real[] in PostgreSQL's binary array format (`array_send`) into `target` at `offset`; false, and
 * nothing usable copied, unless it is one-dimensional with `dimensions` finite, non-null elements.
 */
export function readVector(bytes: Uint8Array, target: Float32Array, offset: number, dimensions: number): boolean {
  if (bytes.length !== 20 + 8 * dimensions) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getInt32(0) !== 1 || view.getInt32(12) !== dimensions) return false;
  for (let i = 0, at = 20; i < dimensions; i++, at += 8) {
    const value = view.getInt32(at) === 4 ? view.getFloat32(at + 4) : Number.NaN;
    if (!Number.isFinite(value)) return false;
    target[offset + i] = value;
  }
  return true;
}
