import { ValidationError } from "@memcons/models";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ScanOutput, TableScan } from "../detect/lsh-scan.js";

/** Rows below which a step (embedding, pair search, guard) stays on the calling thread: threads would cost more than they save. */
export const THREADED_MIN_ROWS = 20_000;
/** Most threads one step uses by default. */
const DEFAULT_MAX_THREADS = 4;

/** Threads a step over `n` rows uses: 1 for small sets, else the `threads` limit, by default one per core (at most 4). */
export function threadCount(requested: number | undefined, n: number): number {
  const limit = checkedThreads(requested);
  if (n < THREADED_MIN_ROWS) return 1;
  return limit ?? Math.min(DEFAULT_MAX_THREADS, availableParallelism());
}

/** `threads` itself when it is a positive integer or undefined; throws ValidationError otherwise. */
export function checkedThreads(threads: number | undefined): number | undefined {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new ValidationError(`threads must be a positive integer, got ${threads}`, [{ path: "threads", message: "must be a positive integer" }]);
  }
  return threads;
}

/** The worker script `name` built beside this module, or null when there is none (running from source). */
export function workerScript(name: "lsh-worker" | "embed-worker" | "guard-worker"): URL | null {
  const script = new URL(`./${name}.js`, import.meta.url);
  return existsSync(fileURLToPath(script)) ? script : null;
}

/** Worker threads scanning tables of `scan` (whose arrays must be shared) alongside the calling thread. */
export interface ScanWorkers {
  /** Resolves with every worker's pairs once all are done; rejects if one fails. */
  outputs: Promise<ScanOutput[]>;
  /** The error of a worker that failed, once one has (null until then). */
  failure(): unknown;
  /** Stops every worker (after a failure or an abort); resolves once they are gone. */
  terminate(): Promise<void>;
}

/** Starts `count` worker threads running `script` over `scan`. */
export function startScanWorkers(scan: TableScan, count: number, script: URL): ScanWorkers {
  const workers = Array.from({ length: count }, () => new Worker(script, { workerData: scan }));
  let failed: { error: unknown } | null = null;
  const outputs = Promise.all(
    workers.map(
      (worker) =>
        new Promise<ScanOutput>((resolve, reject) => {
          worker.once("message", (output: ScanOutput) => resolve(output));
          worker.once("error", reject);
          worker.once("exit", (code) => reject(new Error(`LSH worker thread exited with code ${code} before it answered`)));
        }),
    ),
  );
  outputs.catch((error: unknown) => {
    failed ??= { error };
  });
  return {
    outputs,
    failure: () => failed?.error ?? null,
    async terminate() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

type TypedArrayOf<T> = { new (buffer: SharedArrayBuffer): T; new (length: number): T; BYTES_PER_ELEMENT: number };

/** A zeroed typed array of `length` elements, in shared memory (SharedArrayBuffer) when worker threads will read it. */
export function typedArray<T>(Type: TypedArrayOf<T>, length: number, shared: boolean): T {
  return shared ? new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT)) : new Type(length);
}

/** A zeroed Float32Array of `length` floats in shared memory. */
export function sharedFloat32Array(length: number): Float32Array {
  return typedArray(Float32Array, length, true);
}
