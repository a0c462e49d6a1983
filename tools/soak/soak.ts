/**
 * `npm run soak -- --days 365`: the real app (its registered functions, unchanged) in the
 * embedded runtime on a virtual clock, one scheduled run every 15 minutes against the ODRE
 * stand-in, with the scenario's disturbances injected. Production files are read into a
 * landing book after each run and then removed (a lean lake: a year of Bronze would not fit).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resetConfig } from '../../shared/config';
import { FN } from '../../shared/constants';
import { datasetSpec, SCHEDULED_DATASETS } from '../../shared/datasets';
import { scheduledInstanceId } from '../../shared/starters';
import { iso } from '../../shared/time';
import type { DatasetState } from '../../shared/types';
import { VirtualClock } from '../runtime/clock';
import { startHost } from '../runtime/host';
import { silentLogger } from '../runtime/logger';
import { startFakeOdre } from '../standins/odre/server';
import { followClock, scratchRoot, settle, timerPayload } from './drive';
import { buildScenario, figures, inside, LandingBook, Q, type DatasetFigures } from './scenario';

export interface SoakResult {
  days: number;
  runs: number;
  apiCalls: number;
  datasets: DatasetFigures[];
  /** Instances in the task hub at the end: the purge keeps INGESTION_HISTORY_RETENTION_DAYS. */
  instancesAtEnd: number;
  peakRssMb: number;
  wallSeconds: number;
}

const ROOT = path.resolve(__dirname, '../..');
const EXT = __filename.endsWith('.ts') ? 'ts' : 'js';
const ENTRIES = ['triggers', 'orchestrators', 'activities', 'entities'].map((d) => `${d}/*.${EXT}`);
const PUBLISH_DELAY_MS = 3_600_000;
const D = 86_400_000;
/** The purge timer's own time of day (triggers/purgeHistory.ts: 03:40 UTC). */
const PURGE_AT = (3 * 60 + 40) * 60_000;

export async function runSoak(opts: {
  days: number;
  start?: string;
  entries?: string[];
  env?: Record<string, string>;
  /** Called after each simulated day that ends with a run (a year takes a while). */
  onDay?: (day: number, runs: number) => void;
}): Promise<SoakResult> {
  const wall = process.hrtime.bigint();
  const s = buildScenario(opts.start ?? '2026-10-15T00:00:00Z', opts.days);
  const base = fs.mkdtempSync(path.join(scratchRoot(), 'ww-soak-'));
  const lakeDir = path.join(base, 'data');
  const clock = new VirtualClock(new Date(s.start));
  const restoreDate = followClock(clock);
  const odre = await startFakeOdre({
    now: () => clock.now(),
    publishDelayMs: PUBLISH_DELAY_MS,
    dailyLimit: 1_000_000,
  });
  const env = {
    RTE_API_BASE_URL: odre.url,
    LOCAL_LAKE_DIR: lakeDir,
    RTE_REQUEST_TIMEOUT_MS: '5000',
    ...opts.env,
  };
  Object.assign(process.env, env);
  resetConfig();
  const host = await startHost({
    rootDir: ROOT,
    entryFiles: opts.entries ?? ENTRIES,
    durableDir: path.join(base, '.durable'),
    clock,
    port: 0,
    timers: false,
    loadSettings: false,
    banner: false,
    logger: silentLogger,
    functionKeys: ['soak'],
  });
  const book = new LandingBook();
  let runs = 0;
  let apiCalls = 0;
  let peakRss = 0;
  let quotaOn = false;
  const staticGaps = [
    { dataset: s.permanentHole.dataset, from: iso(s.permanentHole.at), regions: [s.permanentHole.region] },
    ...s.autumnHoles.map((w) => ({ from: iso(w.from), to: iso(w.to) })),
  ];
  try {
    let lastSlot = s.start;
    for (let slot = s.start + Q; slot <= s.end; slot += Q) {
      lastSlot = slot;
      if (inside(slot, s.hostDown)) continue;
      clock.advanceTo(new Date(slot + 2_000));
      // a stalled feed serves no row for its hours until it recovers (the rows come back then)
      const stalled = inside(slot, s.feedStall);
      odre.setGaps(stalled ? [...staticGaps, { from: iso(s.feedStall.from), to: iso(slot) }] : staticGaps);
      const apiDown = inside(slot, s.apiDown);
      const quota = inside(slot, s.quotaDay);
      if (apiDown || (quota && !quotaOn)) odre.failUntilCleared(apiDown ? 503 : 429);
      else if (!quota) odre.clearFaults();
      quotaOn = quota;
      odre.resetLog();
      await host.invoke(FN.timerStarter, timerPayload(slot, Q));
      await settle(host, clock, scheduledInstanceId(slot));
      runs++;
      apiCalls += odre.requests().length;
      collect(path.join(lakeDir, 'bronze', 'rte', 'production'), book, slot);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      // the purge fires at 03:40, between two runs: with the run of the quarter it falls in
      if (slot % D > PURGE_AT && slot % D <= PURGE_AT + Q) {
        await host.invoke(FN.purgeHistory, timerPayload(slot - (slot % D) + PURGE_AT, D));
        await host.engine.waitForIdle();
      }
      if ((slot - s.start) % D === 0) opts.onDay?.((slot - s.start) / D, runs);
    }
    const datasets = SCHEDULED_DATASETS.map((d) => {
      const ent = host.engine.readEntity(FN.stateEntity, d);
      const st = (ent.exists ? ent.state : { gaps: [] }) as Pick<DatasetState, 'gaps'>;
      const open = st.gaps.filter((g) => g.status === 'open').length;
      const permanent = st.gaps.filter((g) => g.status === 'permanent').length;
      return figures(s, d, book, lastSlot, { open, permanent }, PUBLISH_DELAY_MS);
    });
    return {
      days: opts.days,
      runs,
      apiCalls,
      datasets,
      instancesAtEnd: host.engine
        .listInstances({ top: 100_000 })
        .instances.filter((i) => !i.instanceId.startsWith('@')).length,
      peakRssMb: Math.round(peakRss / 1_048_576),
      wallSeconds: Math.round(Number(process.hrtime.bigint() - wall) / 1e9),
    };
  } finally {
    await host.stop();
    await odre.close();
    restoreDate();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

function collect(dir: string, book: LandingBook, slot: number): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || e.name.startsWith('.') || !e.name.endsWith('.json')) continue;
    const full = path.join(e.parentPath, e.name);
    const dataset = SCHEDULED_DATASETS.find((d) => e.name.startsWith(`eco2mix_${datasetSpec(d).short}_`));
    if (dataset) book.addFile(dataset, fs.readFileSync(full, 'utf8'), slot);
    fs.rmSync(full);
    fs.rmSync(path.join(e.parentPath, `.${e.name}.meta.json`), { force: true });
  }
}

export function formatSoak(r: SoakResult): string {
  const lines = [
    `soak: ${r.days} days, ${r.runs} scheduled runs, ${r.apiCalls} API calls (${(r.apiCalls / Math.max(1, r.runs)).toFixed(2)} per run)`,
  ];
  for (const d of r.datasets) {
    lines.push(
      `  ${d.dataset}: ${d.published} quarters published, ${d.landed} landed, gaps ${d.gapsOpen} open / ${d.gapsPermanent} permanent, longest wait ${d.longestWaitMinutes} min`,
    );
  }
  lines.push(
    `  task hub: ${r.instancesAtEnd} instances at the end; peak RSS ${r.peakRssMb} MB, wall time ${r.wallSeconds} s`,
  );
  return lines.join('\n');
}
