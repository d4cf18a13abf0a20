// Helpers shared by the scheduler benchmarks (scripts: they may read the environment).
import { loadavg } from "node:os";
import { parseArgs } from "node:util";

/** The PostgreSQL URL benchmarks run against (DATABASE_URL, else the local default). */
export function adminUrl(): string {
  return process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

/** Parses `--name value` integer flags with defaults. */
export function intFlags<T extends Record<string, number>>(defaults: T): T {
  const options = Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: "string" as const }]));
  const { values } = parseArgs({ options, strict: true, allowPositionals: false });
  const result: Record<string, number> = { ...defaults };
  for (const [key, value] of Object.entries(values)) {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${key} must be a positive number`);
    result[key] = parsed;
  }
  return result as T;
}

/** Prints one JSON result line (with the 1-minute load average: other processes skew timings). */
export function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, load_avg_1m: round(loadavg()[0] ?? 0) })}\n`);
}

/** The q-quantile (0..1) of `values`, by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return round(sorted[index] ?? Number.NaN);
}

/** Rounds to 2 decimals. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Peak resident set size so far, in MB. */
export function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024);
}
