/** Runs database writes in the background with bounded concurrency; flush() waits and rethrows the first failure. */
export class BackgroundWriter {
  readonly #limit: number;
  readonly #inFlight = new Set<Promise<void>>();
  #error: { value: unknown } | null = null;

  constructor(limit = 2) {
    this.#limit = Math.max(1, limit);
  }

  /** Starts `task`; waits first when `limit` tasks are already running. */
  async run(task: () => Promise<unknown>): Promise<void> {
    await this.slot();
    this.start(task);
  }

  /** Waits until fewer than `limit` tasks are running; throws if one of them failed. */
  async slot(): Promise<void> {
    this.#throwIfFailed();
    while (this.#inFlight.size >= this.#limit) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
  }

  /** Starts `task` now (call slot() first to respect the limit). */
  start(task: () => Promise<unknown>): void {
    const promise: Promise<void> = task().then(
      () => {
        this.#inFlight.delete(promise);
      },
      (error: unknown) => {
        this.#inFlight.delete(promise);
        this.#error ??= { value: error };
      },
    );
    this.#inFlight.add(promise);
  }

  /** Waits for every started task; throws the first error any of them raised. */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
    this.#throwIfFailed();
  }

  /** Runs `produce` (which starts tasks), then flushes; on failure still waits for started tasks, then rethrows. */
  async drain<T>(produce: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await produce();
    } catch (error) {
      await this.flush().catch(() => undefined);
      throw error;
    }
    await this.flush();
    return result;
  }

  #throwIfFailed(): void {
    if (this.#error) throw this.#error.value;
  }
}
