/**
 * Issue 7, "Fast and frugal", and issue 12, cost that grows linearly: cold start, API frugality,
 * backfill throughput, scaling and orchestration overhead of the real app, measured in one run.
 *
 *   npm run bench        (builds with tsc, then runs dist/tools/bench/bench.js)
 *
 * - Cold start (coldStart.ts): fresh processes, start -> every function registered.
 * - Frugality and overhead (runs.ts): one scheduled run through the embedded runtime against the ODRE stand-in.
 * - Throughput (throughput.ts): a 30-day backfill of both datasets with 200 ms per request, parallel then sequential.
 * - Scaling (scalingRun.ts): backfills of 7, 30, 90 and 365 days x 2 datasets.
 *
 * The output ends with machine-readable `name: value` lines. Environment knobs (settings.ts):
 * BENCH_COLD_REPS (default 11), BENCH_BACKFILL_DAYS (30), BENCH_LATENCY_MS (200),
 * BENCH_ODRE_IN_PROCESS=1 (run the stand-in inside the bench process instead), BENCH_SCALE_LATENCY_MS (0,
 * the latency of the scaling table's backfills), BENCH_ONLY (cold,scheduled,throughput,scaling: only those).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { reportColdStart } from './coldStart';
import { scheduledRun } from './runs';
import { reportScaling, type ScalingFigures } from './scalingRun';
import { MONTHLY_BUDGET, out, runs, verdict } from './settings';
import { fixed, formatMs, monthlyProjection } from './stats';
import { reportThroughput, type ThroughputFigures } from './throughput';

type Scheduled = Awaited<ReturnType<typeof scheduledRun>>;

function reportFrugality(sched: Scheduled): void {
  const perDataset = Object.entries(sched.byDataset)
    .map(([d, n]) => `${d} ${n}`)
    .join(', ');
  const month = monthlyProjection(sched.requests, 96, 30, MONTHLY_BUDGET);
  const steady = sched.requests === 2 && Object.values(sched.byDataset).every((n) => n === 1);
  out('2. API frugality (ODRE stand-in request log)');
  out(
    `   scheduled run: ${sched.requests} requests (${perDataset}), ${sched.records} records, ${formatMs(sched.wallMs)}`,
  );
  out(
    `   steady state: ${steady ? 'exactly one request per dataset per run' : 'NOT one request per dataset per run'}`,
  );
  out(
    `   monthly projection: 96 runs/day x 30 days x ${sched.requests} = ${month.calls} calls = ` +
      `${(month.share * 100).toFixed(1)}% of the ${MONTHLY_BUDGET} budget`,
  );
  out();
}

function reportOverhead(sched: Scheduled): void {
  out('4. Orchestration overhead (scheduled run, from the instance history)');
  out(
    `   ${sched.history.events} history events, ${sched.history.episodes} episodes ` +
      `(${sched.history.replays} replays), ${sched.history.tasksScheduled} activities   ` +
      `goal <= 22 events: ${verdict(sched.history.events <= 22)}`,
  );
  out();
}

async function main(): Promise<void> {
  const started = performance.now();
  const cpus = os.cpus();
  out('Watt Watcher benchmark (issue 7, "Fast and frugal"; issue 12, linear cost)');
  out(
    `machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  );
  out(`node: ${process.version} (${process.platform}/${process.arch})`);
  out(`date: ${new Date().toISOString()}`);
  out(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  out();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bench-'));
  try {
    const cold = runs('cold') ? await reportColdStart(tmp) : undefined;
    const sched = runs('scheduled') ? await scheduledRun(tmp) : undefined;
    if (sched) reportFrugality(sched);
    const tp: ThroughputFigures | undefined = runs('throughput') ? await reportThroughput(tmp) : undefined;
    const sc: ScalingFigures | undefined = runs('scaling') ? await reportScaling(tmp) : undefined;
    if (sched) reportOverhead(sched);
    out(`bench time: ${formatMs(performance.now() - started)}`);
    out(
      `load average at end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
    );
    out();

    if (tp) out(`backfill_ratio_to_limit: ${fixed(tp.ratio)}`);
    if (tp) out(`speedup_vs_sequential: ${fixed(tp.speedup)}`);
    if (cold) out(`load_time_ratio: ${fixed(cold.loadRatio)}`);
    if (cold) out(`load_vs_bare_node: ${fixed(cold.vsBare)}`);
    if (tp) out(`peak_rss_mb: ${fixed(tp.peakRssMb, 2)}`);
    if (sched) out(`history_events_per_run: ${fixed(sched.history.events, 2)}`);
    if (sc) out(`max_history_events_per_instance: ${sc.maxHistoryEvents}`);
    if (sc) out(`replayed_events_per_slice: ${fixed(sc.replayedPerSlice, 2)}`);
    if (sc) out(`peak_rss_mb_365d: ${fixed(sc.peakRssMb, 2)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
