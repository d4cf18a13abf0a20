import { Worker } from "node:worker_threads";

/**
 * Worker threads running one script for the length of one step of a job: run() sends a request to the least busy
 * thread and resolves with its answer; close() stops them all. A thread answers `{ id, answer }` for `{ id, request }`.
 */
export class TaskPool<Request, Answer> {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, { resolve: (answer: Answer) => void; reject: (error: unknown) => void }>();
  readonly #load: number[];
  #nextId = 0;

  constructor(script: URL, workerData: unknown, threads: number) {
    this.#workers = Array.from({ length: threads }, () => new Worker(script, { workerData }));
    this.#load = this.#workers.map(() => 0);
    this.#workers.forEach((worker, w) => {
      worker.on("message", (message: { id: number; answer: Answer }) => {
        this.#load[w] = (this.#load[w] as number) - 1;
        const waiter = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        waiter?.resolve(message.answer);
      });
      const fail = (error: unknown) => {
        for (const waiter of this.#pending.values()) waiter.reject(error);
        this.#pending.clear();
      };
      worker.on("error", fail);
      worker.on("exit", (code) => fail(new Error(`worker thread exited with code ${code}`)));
    });
  }

  /** Threads in the pool. */
  get size(): number {
    return this.#workers.length;
  }

  /** Runs `request` on the least busy thread. */
  run(request: Request): Promise<Answer> {
    const w = this.#load.indexOf(Math.min(...this.#load));
    this.#load[w] = (this.#load[w] as number) + 1;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      (this.#workers[w] as Worker).postMessage({ id, request });
    });
  }

  /** Stops every thread; requests still waiting are rejected. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

/**
 * Tasks running on a pool, at most two per thread: add() waits for room, drain() for all of them. The first failure
 * is rethrown by the next add() or drain(); busyMs is the time at least one task was running.
 */
export class PooledTasks {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | null = null;
  #busySince = 0;
  busyMs = 0;

  constructor(threads: number) {
    this.#limit = threads * 2;
  }

  /** Starts `task` once fewer than the limit are running. */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit) await Promise.race(this.#running).catch(() => undefined);
    this.#throwIfFailed();
    if (this.#running.size === 0) this.#busySince = Date.now();
    const running: Promise<void> = task().then(
      () => this.#settle(running),
      (error: unknown) => {
        this.#failure ??= { error };
        this.#settle(running);
      },
    );
    this.#running.add(running);
  }

  /** Waits for every task started; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    this.#throwIfFailed();
  }

  #settle(running: Promise<void>): void {
    this.#running.delete(running);
    if (this.#running.size === 0) this.busyMs += Date.now() - this.#busySince;
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
