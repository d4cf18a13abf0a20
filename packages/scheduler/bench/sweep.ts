// Sweep benchmark: the decision of runScheduledConsolidation over many projects and memories
// (default 10,000 projects / 2,000,000 memories, generated in SQL), the full sweep, and
// checkThresholdTrigger at threshold 1000 on large projects (p50/p95).
// Usage: pnpm bench sweep [--projects 10000] [--memories 2000000] [--checks 500]
import { performance } from "node:perf_hooks";
import { createTestDatabase } from "@memcons/models/testing";
import { checkThresholdTrigger, findProjectsDue, runScheduledConsolidation } from "@memcons/scheduler";
import { sql } from "drizzle-orm";
import { adminUrl, emit, intFlags, peakRssMb, quantile, round } from "./util.js";

const flags = intFlags({ projects: 10_000, memories: 2_000_000, checks: 500 });
// 1% of the projects are large (a quarter of all memories, threshold 1000); the rest hold the other
// three quarters, spread from 0.33× to 1.67× the average, with thresholds null (→100), 150, 500, 1000.
const bigProjects = Math.max(1, Math.floor(flags.projects / 100));
const bigSize = Math.floor(flags.memories / 4 / bigProjects);
const smallProjects = flags.projects - bigProjects;
const smallAverage = Math.max(3, Math.floor((flags.memories - bigSize * bigProjects) / Math.max(1, smallProjects)));
const spread = Math.floor((smallAverage * 4) / 3);
const smallBase = smallAverage - Math.floor(spread / 2);

const db = await createTestDatabase({ driver: "postgres", adminUrl: adminUrl() });
try {
  const generated = performance.now();
  await db.rows(sql`
    insert into memcons.projects (name, consolidation_threshold)
    select 'bench-' || g,
           case when g <= ${bigProjects}::int then 1000
                else (array[null, 150, 500, 1000])[1 + g % 4] end
      from generate_series(1, ${flags.projects}::int) g`);
  await db.rows(sql`
    insert into memcons.task_memories (project_id, memory_type, execution_summary, is_archived, is_duplicate, is_consolidated)
    select p.id, 'learning', 'bench memory ' || m, m % 10 = 0, m % 17 = 0, m % 3 = 0
      from (select id, substr(name, 7)::int as n from memcons.projects) p
     cross join lateral generate_series(1,
       case when p.n <= ${bigProjects}::int then ${bigSize}::int else ${smallBase}::int + p.n % ${spread}::int end) m`);
  await db.rows(sql`vacuum analyze memcons.projects`);
  await db.rows(sql`vacuum analyze memcons.task_memories`);
  const [counts] = await db.rows<{ projects: number; memories: number }>(
    sql`select (select count(*)::int from memcons.projects) as projects, (select count(*)::int from memcons.task_memories) as memories`,
  );
  const generateMs = performance.now() - generated;

  const decisions: number[] = [];
  let due: string[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    due = await findProjectsDue(db);
    decisions.push(performance.now() - t0);
  }
  const t0 = performance.now();
  const sweep = await runScheduledConsolidation(db, { concurrency: 8 });
  const sweepMs = performance.now() - t0;
  emit({
    bench: "sweep",
    projects: counts?.projects,
    memories: counts?.memories,
    projects_due: due.length,
    decision_ms: { min: round(Math.min(...decisions)), p50: quantile(decisions, 0.5), max: quantile(decisions, 1) },
    full_sweep_ms: round(sweepMs),
    jobs_created: sweep.jobs_created,
    generate_ms: round(generateMs),
    peak_rss_mb: peakRssMb(),
  });

  // Threshold check on the memory-write path: large projects (≥1000 unconsolidated memories, threshold
  // 1000) → bounded count of 1000 plus the idempotent enqueue; small projects below it → count only.
  await db.rows(sql`delete from memcons.consolidation_jobs`);
  const big = await db.rows<{ id: string }>(sql`select id from memcons.projects where consolidation_threshold = 1000 and substr(name, 7)::int <= ${bigProjects}::int`);
  const small = await db.rows<{ id: string }>(sql`select id from memcons.projects where consolidation_threshold = 1000 and substr(name, 7)::int > ${bigProjects}::int limit 200`);
  for (const [label, ids] of [["at_threshold", big], ["below_threshold", small]] as const) {
    for (const { id } of ids) await checkThresholdTrigger(db, id); // warm-up: caches, first enqueue
    const timings: number[] = [];
    let triggered = 0;
    for (let i = 0; i < flags.checks; i++) {
      const id = ids[i % ids.length]!.id;
      const start = performance.now();
      const result = await checkThresholdTrigger(db, id);
      timings.push(performance.now() - start);
      if (result.triggered) triggered += 1;
    }
    emit({
      bench: "threshold_check",
      case: label,
      threshold: 1000,
      checks: timings.length,
      triggered,
      p50_ms: quantile(timings, 0.5),
      p95_ms: quantile(timings, 0.95),
      p99_ms: quantile(timings, 0.99),
    });
  }
} finally {
  await db.close();
}
