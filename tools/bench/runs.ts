/** The measured runs: one scheduled run, and backfills through the HTTP starter. */
import { performance } from 'node:perf_hooks';
import { FN, INSTANCE_PREFIX } from '../../shared/constants';
import { apiRequests, finish, withApp } from './app';
import { DAY_MS, DEFAULT_PARALLELISM, KEY } from './settings';
import { historyStats } from './stats';
import { concurrency, type Concurrency } from './timeline';

export interface ScheduledResult {
  requests: number;
  byDataset: Record<string, number>;
  records: number;
  history: ReturnType<typeof historyStats>;
  wallMs: number;
}

export async function scheduledRun(tmp: string): Promise<ScheduledResult> {
  return withApp({ tmp, name: 'scheduled', parallelism: DEFAULT_PARALLELISM, latencyMs: 0 }, async (app) => {
    const t0 = performance.now();
    await app.host.invoke(FN.timerStarter, {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: null,
    });
    const scheduled = app.host.engine
      .listInstances({ instanceIdPrefix: INSTANCE_PREFIX.scheduled })
      .instances.filter(
        (i) =>
          !i.instanceId.startsWith(INSTANCE_PREFIX.manual) &&
          !i.instanceId.startsWith(INSTANCE_PREFIX.backfill),
      );
    if (scheduled.length !== 1) throw new Error(`expected one scheduled run, found ${scheduled.length}`);
    const rec = await finish(app.host, scheduled[0]!.instanceId);
    const wallMs = performance.now() - t0;
    const output = JSON.parse(rec.output ?? '{}') as { records?: number };
    const { total, byDataset } = await apiRequests(app.odre);
    return {
      requests: total,
      byDataset,
      records: output.records ?? 0,
      history: historyStats(rec.history),
      wallMs,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// 3. backfill

export interface BackfillResult {
  wallMs: number;
  requests: number;
  /** Sum over requests of the stand-in's own time (arrival -> response end), latency included. */
  serviceMs: number;
  records: number;
  files: number;
  peakRssMb: number;
  peakRequestsInFlight: number;
  peakActivities: number;
  history: ReturnType<typeof historyStats>;
  slices: number;
  instances: number;
  maxHistoryEvents: number;
  replayedEvents: number;
  episodes: number;
  /** Requests in flight over the run, against the INGESTION_PARALLELISM lanes. */
  concurrency: Concurrency;
  /** Share of the run the bench process's event loop was busy (the app, the runtime, the lake). */
  eventLoopBusy: number;
}

export async function backfill(
  tmp: string,
  opts: {
    name: string;
    days: number;
    parallelism: number;
    maxConcurrentActivities?: number;
    latencyMs: number;
  },
): Promise<BackfillResult> {
  return withApp({ tmp, ...opts }, async (app) => {
    const to = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const from = to - opts.days * DAY_MS;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    try {
      const elu0 = performance.eventLoopUtilization();
      const t0 = performance.now();
      const res = await fetch(`${app.host.httpUrl}/api/ingestion/runs`, {
        method: 'POST',
        headers: { 'x-functions-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString() }),
      });
      const body = (await res.json()) as { id?: string; error?: string };
      if (res.status !== 202 || !body.id)
        throw new Error(`backfill refused: ${res.status} ${JSON.stringify(body)}`);
      const rec = await finish(app.host, body.id);
      const wallMs = performance.now() - t0;
      const elu = performance.eventLoopUtilization(elu0);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const output = JSON.parse(rec.output ?? '{}') as { records?: number; files?: number };
      const history = historyStats(rec.history);
      const api = await apiRequests(app.odre);
      return {
        wallMs,
        requests: api.total,
        serviceMs: api.serviceMs,
        records: output.records ?? 0,
        files: output.files ?? 0,
        peakRssMb: peakRss / 1024 / 1024,
        peakRequestsInFlight: await app.odre.peakConcurrency(),
        peakActivities: app.host.engine.peakActivities,
        history,
        slices: opts.days * 2,
        instances: app.host.engine.listInstances({}).instances.length,
        maxHistoryEvents: app.host.engine.maxHistoryEvents,
        replayedEvents: app.host.engine.replayedEvents,
        episodes: app.host.engine.episodes,
        concurrency: concurrency(api.intervals, opts.parallelism),
        eventLoopBusy: elu.utilization,
      };
    } finally {
      clearInterval(sampler);
    }
  });
}
