// pnpm chaos [--runs N] [--scenario name]: runs each fault scenario N times against real processes
// and PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres) and prints one
// JSON line per scenario.
import { SCENARIOS } from "./scenarios.js";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Math.max(1, Number(option("--runs") ?? 3));
const only = option("--scenario");
const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  if (only && name !== only) continue;
  const resumes: number[] = [];
  let exits = 0;
  let completed = 0;
  let lost = 0;
  let retries = 0;
  let snapshotsEqual = 0;
  let snapshots = 0;
  let errors = 0;
  for (let i = 0; i < runs; i++) {
    try {
      const run = await scenario(adminUrl);
      exits += run.exits.length;
      completed += run.job_completed ? 1 : 0;
      lost += run.memories_lost;
      retries += run.retries_used;
      if (run.resume_ms != null) resumes.push(run.resume_ms);
      if (run.snapshot_equal != null) {
        snapshots++;
        snapshotsEqual += run.snapshot_equal ? 1 : 0;
      }
      for (const exit of run.exits) process.stderr.write(`${name}: unexpected exit: ${exit}\n`);
    } catch (error) {
      errors++;
      process.stderr.write(`${name} run ${i + 1} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  resumes.sort((a, b) => a - b);
  const p95 = resumes.length > 0 ? resumes[Math.min(resumes.length - 1, Math.ceil(resumes.length * 0.95) - 1)] : null;
  process.stdout.write(
    `${JSON.stringify({
      chaos: name,
      runs,
      process_exits: exits,
      jobs_completed: completed,
      memories_lost: lost,
      retries_used: retries,
      resume_ms_p95: p95,
      ...(snapshots > 0 ? { snapshots_equal: snapshotsEqual } : {}),
      ...(errors > 0 ? { errors } : {}),
    })}\n`,
  );
}
