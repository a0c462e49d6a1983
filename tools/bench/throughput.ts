/** Section 3: a backfill with 200 ms per request, parallel then sequential, against the latency limit. */
import { backfill, type BackfillResult } from './runs';
import {
  BACKFILL_DAYS,
  DEFAULT_PARALLELISM,
  hostActivityLimit,
  LATENCY_MS,
  ODRE_IN_PROCESS,
  out,
  verdict,
} from './settings';
import { fixed, formatMs, latencyLimitMs } from './stats';

export interface ThroughputFigures {
  ratio: number;
  speedup: number;
  peakRssMb: number;
}

/** Where the wall time went: requests in flight against the lanes, and the bench process's own load. */
export function concurrencyLine(r: BackfillResult, lanes: number): string {
  const c = r.concurrency;
  const share = (k: number): string => `${((100 * (c.msAt[k] ?? 0)) / Math.max(1, c.spanMs)).toFixed(0)}%`;
  const below = c.msAt.slice(0, lanes).reduce((n, ms) => n + ms, 0);
  return (
    `requests in flight: mean ${c.meanInFlight.toFixed(2)} of ${lanes} lanes over ${formatMs(c.spanMs)} ` +
    `(0: ${share(0)}, ${lanes}+: ${((100 * (c.spanMs - below)) / Math.max(1, c.spanMs)).toFixed(0)}%), ` +
    `longest stretch under ${lanes} ${formatMs(c.longestBelowTargetMs)}; event loop busy ${(100 * r.eventLoopBusy).toFixed(0)}%`
  );
}

export async function reportThroughput(tmp: string): Promise<ThroughputFigures> {
  // Warm-up (JIT, lazy modules), then the measured runs.
  await backfill(tmp, { name: 'warmup', days: 2, parallelism: DEFAULT_PARALLELISM, latencyMs: 0 });
  const par = await backfill(tmp, {
    name: 'parallel',
    days: BACKFILL_DAYS,
    parallelism: DEFAULT_PARALLELISM,
    latencyMs: LATENCY_MS,
  });
  const seq = await backfill(tmp, {
    name: 'sequential',
    days: BACKFILL_DAYS,
    parallelism: 1,
    maxConcurrentActivities: 1,
    latencyMs: LATENCY_MS,
  });
  const limit = latencyLimitMs(par.requests, LATENCY_MS, DEFAULT_PARALLELISM);
  const seqLimit = latencyLimitMs(seq.requests, LATENCY_MS, 1);
  const ratio = par.wallMs / limit;
  const speedup = seq.wallMs / par.wallMs;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  out(
    `3. Backfill throughput: ${BACKFILL_DAYS} days x 2 datasets, ${LATENCY_MS} ms per request ` +
      `(stand-in ${ODRE_IN_PROCESS ? 'in the bench process' : 'in its own process'}), ` +
      `INGESTION_PARALLELISM ${DEFAULT_PARALLELISM}, host.json maxConcurrentActivityFunctions ${hostActivityLimit()}`,
  );
  out(
    `   parallel:   ${formatMs(par.wallMs)}, ${par.requests} requests (one per slice and one coverage request per dataset: ${par.requests === BACKFILL_DAYS * 2 + 2 ? 'yes' : 'NO'}), ` +
      `${par.records} records, ${(par.records / (par.wallMs / 1000)).toFixed(0)} records/s`,
  );
  out(
    `               limit = ${par.requests} x ${LATENCY_MS} ms / ${DEFAULT_PARALLELISM} = ${formatMs(limit)}; ` +
      `wall/limit = ${fixed(ratio)}   goal <= 1.15: ${verdict(ratio <= 1.15)}`,
  );
  const serviceLimit = par.serviceMs / DEFAULT_PARALLELISM;
  out(
    `               stand-in service time: mean ${formatMs(par.serviceMs / Math.max(1, par.requests))} per request ` +
      `(${LATENCY_MS} ms latency + generating and streaming the export); ` +
      `sum / ${DEFAULT_PARALLELISM} = ${formatMs(serviceLimit)}, wall / that = ${fixed(par.wallMs / serviceLimit)}`,
  );
  out(`               ${concurrencyLine(par, DEFAULT_PARALLELISM)}`);
  out(
    `               peak requests in flight ${par.peakRequestsInFlight}, peak activities ${par.peakActivities}, ` +
      `${par.instances} instances, ${par.episodes} episodes, ${par.replayedEvents} events replayed`,
  );
  out(
    `   sequential: ${formatMs(seq.wallMs)}, ${seq.requests} requests, ${seq.records} records, ` +
      `${(seq.records / (seq.wallMs / 1000)).toFixed(0)} records/s; limit ${formatMs(seqLimit)}, ` +
      `wall/limit ${fixed(seq.wallMs / seqLimit)}`,
  );
  out(`               ${concurrencyLine(seq, 1)}`);
  out(`   speedup parallel vs sequential = ${fixed(speedup)}   goal >= 3.5: ${verdict(speedup >= 3.5)}`);
  out(
    `   peak RSS during the parallel backfill (sampled every 50 ms) = ${par.peakRssMb.toFixed(1)} MB   ` +
      `goal <= 300 MB: ${verdict(par.peakRssMb <= 300)}; bench process maxRSS ${maxRssMb.toFixed(1)} MB`,
  );
  out();
  return { ratio, speedup, peakRssMb: par.peakRssMb };
}
