/**
 * Sends many vectors to the server in PostgreSQL's binary COPY format: four bytes a float instead of
 * about ten characters of text that the server must parse back, on both drivers (postgres.js streams
 * the COPY, PGlite reads it from a blob).
 */
import { sql } from "drizzle-orm";
import type { Transaction } from "./database.js";
import { ValidationError } from "./errors.js";

const FLOAT4_OID = 700;
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
let tables = 0;

/** The driver's own client behind a Drizzle transaction (postgres.js TransactionSql or PGlite Transaction). */
type RawClient =
  | ((...args: never[]) => unknown) & { unsafe(query: string): { writable(): Promise<NodeJS.WritableStream> } }
  | { query(query: string, params: unknown[], options: { blob: Blob }): Promise<unknown> };

/**
 * Rounds each vector to the stored precision (in place, as vectorJson does) and loads them into a new
 * temporary table `(k int, e real[])` of the open transaction, row k holding vectors[k]; returns the
 * table's name, to join on `k`. The table is dropped at commit or rollback.
 */
export async function copyVectors(tx: Transaction, vectors: ReadonlyArray<Float32Array>): Promise<string> {
  const table = `memcons_vectors_${++tables}`;
  await tx.execute(sql.raw(`CREATE TEMP TABLE ${table} (k int NOT NULL, e real[] NOT NULL) ON COMMIT DROP`));
  if (vectors.length === 0) return table;
  const data = encodeVectors(vectors);
  const client = (tx as unknown as { session: { client: RawClient } }).session.client;
  if (typeof client === "function") {
    const stream = await client.unsafe(`COPY ${table} (k, e) FROM STDIN (FORMAT binary)`).writable();
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("finish", resolve);
      stream.end(data);
    });
  } else {
    await client.query(`COPY ${table} (k, e) FROM '/dev/blob' (FORMAT binary)`, [], { blob: new Blob([data]) });
  }
  return table;
}

/** Encodes vectors as the rows (k int4, e float4[]) of a binary COPY stream. */
function encodeVectors(vectors: ReadonlyArray<Float32Array>): Uint8Array {
  let size = SIGNATURE.length + 8 + 2;
  for (const v of vectors) size += 2 + 8 + 4 + 20 + v.length * 8;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(SIGNATURE, 0);
  let at = SIGNATURE.length + 8; // flags and header-extension length stay 0
  for (let k = 0; k < vectors.length; k++) {
    const v = vectors[k] as Float32Array;
    view.setInt16(at, 2);
    view.setInt32(at + 2, 4);
    view.setInt32(at + 6, k);
    view.setInt32(at + 10, 20 + v.length * 8);
    view.setInt32(at + 14, 1); // dimensions
    view.setInt32(at + 18, 0); // no NULL elements
    view.setInt32(at + 22, FLOAT4_OID);
    view.setInt32(at + 26, v.length);
    view.setInt32(at + 30, 1); // lower bound
    at += 34;
    for (let i = 0; i < v.length; i++) {
      const rounded = Math.round((v[i] as number) * 1e6) / 1e6;
      if (!Number.isFinite(rounded)) throw new ValidationError(`vector ${k} has a non-finite element at ${i}`);
      v[i] = rounded;
      view.setInt32(at, 4);
      view.setFloat32(at + 4, v[i] as number);
      at += 8;
    }
  }
  view.setInt16(at, -1);
  return bytes;
}
