/**
 * Sends many vectors to the server in PostgreSQL's binary COPY format: four bytes a float instead of
 * about ten characters of text that the server must parse back, on both drivers (postgres.js streams
 * the COPY, PGlite reads it from a blob).
 */
import { sql } from "drizzle-orm";
import type { Transaction } from "./database.js";
import { ValidationError } from "./errors.js";
import { roundElement } from "./vector.js";

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
  const client = driverClient(tx);
  const table = `memcons_vectors_${++tables}`;
  await tx.execute(sql.raw(`CREATE TEMP TABLE ${table} (k int NOT NULL, e real[] NOT NULL) ON COMMIT DROP`));
  if (vectors.length === 0) return table;
  const data = encodeVectors(vectors);
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

/** The postgres.js or PGlite client under a transaction of a `createDatabase` database; ValidationError otherwise. */
function driverClient(tx: Transaction): RawClient {
  const client: unknown = (tx as unknown as { session?: { client?: unknown } } | null)?.session?.client;
  const has = (name: string) => typeof (client as Record<string, unknown>)[name] === "function";
  if (typeof client === "function" && has("unsafe")) return client as RawClient;
  if (typeof client === "object" && client !== null && has("query")) return client as RawClient;
  throw new ValidationError("copyVectors needs a transaction of a database opened by createDatabase (postgres.js or PGlite)");
}

/** Encodes vectors as the rows (k int4, e float4[]) of a binary COPY stream. */
function encodeVectors(vectors: ReadonlyArray<Float32Array>): Uint8Array {
  let size = SIGNATURE.length + 8 + 2;
  let longest = 0;
  for (const v of vectors) {
    size += 2 + 8 + 4 + 20 + v.length * 8;
    longest = Math.max(longest, v.length);
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(SIGNATURE, 0);
  // The elements of one vector are built in an aligned scratch buffer (length 4, then the float big-endian)
  // and copied in one piece: rows start at odd offsets, where word writes would need a DataView call each.
  const words = new Uint32Array(longest * 2);
  const wordBytes = new Uint8Array(words.buffer);
  const bits = new Uint32Array(1);
  const float = new Float32Array(bits.buffer);
  const lengthWord = new Uint8Array(new Uint32Array([0x04000000]).buffer)[0] === 0 ? 0x04000000 : 4;
  const bigEndianHost = lengthWord === 4;
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
      const rounded = roundElement(v[i] as number);
      if (!Number.isFinite(rounded)) throw new ValidationError(`vector ${k} has a non-finite element at ${i}`);
      v[i] = rounded;
      float[0] = rounded;
      const x = bits[0] as number;
      words[2 * i] = lengthWord;
      words[2 * i + 1] = bigEndianHost ? x : ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
    bytes.set(wordBytes.subarray(0, v.length * 8), at);
    at += v.length * 8;
  }
  view.setInt16(at, -1);
  return bytes;
}
