// Worker thread of the LSH pair search: signs rows, then scans hash tables of a TableScan (shared memory), until none is left.
import { parentPort, workerData } from "node:worker_threads";
import { scanTables, signRows, type TableScan } from "../detect/lsh-scan.js";

const scan = workerData as TableScan;
for (const _ of signRows(scan)) {
  // signs a chunk of rows per step
}
// Every table needs every signature: sleep until the other threads have signed their rows.
for (let signed = Atomics.load(scan.rowsSigned, 0); signed < scan.n; signed = Atomics.load(scan.rowsSigned, 0)) {
  Atomics.wait(scan.rowsSigned, 0, signed, 100);
}
const steps = scanTables(scan);
let step = steps.next();
while (!step.done) step = steps.next();
const output = step.value;
parentPort?.postMessage(output, [output.i.buffer, output.j.buffer, output.similarity.buffer] as ArrayBuffer[]);
