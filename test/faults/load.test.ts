/**
 * Load: 200 overlapping manual runs started at once through the HTTP starter, then a 365-day
 * backfill of both datasets, through the real app in the embedded runtime (virtual clock). Every run completes;
 * the API stand-in never sees more concurrent requests than the host's activity concurrency
 * (host.json maxConcurrentActivityFunctions): only activities call the API, one request at a time.
 * Memory and durations are printed, not asserted.
 */
import { SUITE_MIDNIGHT } from '../setup/epoch';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../shared/config';
import { startHarness, type Harness } from '../e2e/harness';
import { laneInstanceId, planLanes } from '../../shared/orchestration';
import { REGION_CODES } from '../../shared/datasets';
import { planSlices } from '../../shared/slicing';
import { duplicateRows, inspectLake, missingQuarters, NATIONAL, REGIONAL } from './support';
const springGhosts = (dataset: string): string[] =>
  (dataset === REGIONAL ? [...REGION_CODES] : ['France'])
    .flatMap((who) =>
      ['00', '15', '30', '45'].map(
        (m) => `${dataset === REGIONAL ? 'regional' : 'national'}|${who}|2026-03-29T01:${m}:00+00:00`,
      ),
    )
    .sort();
const AUTUMN_HOLE = ['00:00', '00:15', '00:30', '00:45'].map((t) => `2026-10-25T${t}:00.000Z`);

const HOST_JSON = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../host.json'), 'utf8')) as {
  extensions: { durableTask: { maxConcurrentActivityFunctions: number } };
};
const MAX_ACTIVITIES = HOST_JSON.extensions.durableTask.maxConcurrentActivityFunctions;
/** The request gate's width: INGESTION_PARALLELISM, left at its default by the harness. */
const GATE = loadConfig({}).parallelism;
const MB = 1024 * 1024;

function rssSampler(): { peak(): number; stop(): void } {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    peak: () => Math.max(peak, process.memoryUsage().rss),
    stop: () => clearInterval(t),
  };
}

describe('load', () => {
  let h: Harness;
  const figures: string[] = [];
  beforeAll(async () => {
    h = await startHarness({
      // a loaded machine can hold a response past the harness's 2 s timeout: a retry would add a request
      env: {
        INGESTION_MAX_BACKFILL_DAYS: '400',
        RTE_MONTHLY_CALL_BUDGET: '1000000',
        RTE_REQUEST_TIMEOUT_MS: '30000',
      },
      odre: { dailyLimit: 100_000 },
    });
  });
  afterAll(async () => {
    await h.stop();
    figures.push(`process maxRSS (resourceUsage): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    console.log(`load figures (activity bound ${MAX_ACTIVITIES})\n${figures.join('\n')}`);
  });

  it('200 overlapping manual runs all complete; API concurrency stays within the request gate', async () => {
    h.odre.resetLog();
    h.odre.setLatency(5);
    const rss = rssSampler();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => h.startRun()));
    expect(answers.map((a) => a.status)).toEqual(Array(200).fill(202));
    const ids = answers.map((a) => String(a.body.id));
    expect(new Set(ids).size).toBe(200);
    const recs = await Promise.all(ids.map((id) => h.wait(id)));
    const ms = Date.now() - started;
    rss.stop();
    h.odre.setLatency(0);
    const statuses = recs.map(
      (r) => `${r.status}/${(JSON.parse(r.output ?? '{}') as { status?: string }).status}`,
    );
    const tally = statuses.reduce<Record<string, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});
    expect(tally).toEqual({ 'Completed/succeeded': 200 });
    const exportsSeen = h.odre.requests().filter((r) => r.endpoint === 'exports').length;
    expect(exportsSeen).toBe(400);
    expect(h.odre.peakConcurrency()).toBeLessThanOrEqual(GATE);
    expect(h.host.engine.peakActivities).toBeLessThanOrEqual(MAX_ACTIVITIES);
    const lake = inspectLake(h.lakeDir);
    expect([lake.temp, lake.staging, lake.unreadable, lake.shaMismatch]).toEqual([[], [], [], []]);
    // each run's tag keeps runs started in the same second apart: 2 files and 1 heartbeat each
    expect([lake.production.length, h.files('audit').length]).toEqual([400, 200]);
    figures.push(
      `200 manual runs: ${ms} ms, ${exportsSeen} API requests, peak API concurrency ${h.odre.peakConcurrency()}, ` +
        `peak activities ${h.host.engine.peakActivities}, ${lake.production.length} production files ` +
        `and ${h.files('audit').length} heartbeats (each named with its run's tag), ` +
        `peak RSS ${(rss.peak() / MB).toFixed(0)} MB`,
    );
  });

  it('a 365-day backfill of both datasets lands every quarter once, in chunk sub-orchestrations of bounded history', async () => {
    h.odre.resetLog();
    const day = 86_400_000;
    const to = SUITE_MIDNIGHT - 86_400_000;
    const window = {
      from: new Date(to - 365 * day).toISOString().replace('.000Z', 'Z'),
      to: new Date(to).toISOString().replace('.000Z', 'Z'),
    };
    const rss = rssSampler();
    const started = Date.now();
    const res = await h.startRun(window);
    expect(res.status).toBe(202);
    const id = String(res.body.id);
    const rec = await h.wait(id);
    await h.host.engine.waitForIdle();
    const ms = Date.now() - started;
    rss.stop();
    expect(rec.status).toBe('Completed');
    const out = JSON.parse(rec.output!) as {
      status: string;
      files: number;
      records: number;
      requests: number;
    };
    expect([out.status, out.files, out.requests]).toEqual(['succeeded', 730, 730]);
    expect(h.odre.peakConcurrency()).toBeLessThanOrEqual(GATE);

    // one child per lane (one execution per chunk), each id under the parent's, each with a small
    // history and small messages
    const children = h.host.engine.listInstances({ instanceIdPrefix: `${id}-chunk-` }).instances;
    const lanes = planLanes(planSlices([REGIONAL, NATIONAL], window.from, window.to), 4);
    expect(children.map((c) => c.instanceId).sort()).toEqual(
      lanes.map((l) => laneInstanceId(id, l.index)).sort(),
    );
    expect(children.every((c) => c.status === 'Completed')).toBe(true);
    const all = [rec, ...children];
    const maxEvents = Math.max(...all.map((r) => r.history.length));
    expect(maxEvents).toBeLessThanOrEqual(300);
    const biggest = Math.max(
      ...all.flatMap((r) => r.history.map((e) => (e.Input ?? '').length + (e.Result ?? '').length)),
      (rec.input ?? '').length,
      (rec.output ?? '').length,
    );
    expect(biggest).toBeLessThan(8 * 1024);

    const mine = inspectLake(h.lakeDir).production.filter((f) =>
      /_\d{8}T\d{6}Z_[0-9a-f]{6}_\d{8}T\d{6}Z\.json$/.test(f),
    );
    expect(mine).toHaveLength(730);
    for (const dataset of [REGIONAL, NATIONAL]) {
      const files = mine.filter((f) => f.includes(dataset === REGIONAL ? '_regional_' : '_national_'));
      // the stand-in, like ODRE, never serves the first pass of the Paris 02:00 hour in autumn
      expect(missingQuarters(h.lakeDir, files, dataset, window.from, window.to)).toEqual(AUTUMN_HOLE);
      // Bronze keeps the spring ghost rows (the Paris hour 02:00 that does not exist), as ODRE serves them
      expect(duplicateRows(h.lakeDir, files).sort()).toEqual(springGhosts(dataset));
    }
    // the heartbeat holds every slice, read back from the chunks' staging files, and staging is empty
    const hb = JSON.parse(h.read(JSON.parse(rec.output!).heartbeat as string).toString('utf8')) as {
      slices: unknown[];
      files: unknown[];
    };
    expect([hb.slices.length, hb.files.length]).toEqual([730, 730]);
    expect(inspectLake(h.lakeDir).staging).toEqual([]);
    figures.push(
      `365-day backfill x 2 datasets: ${ms} ms, ${out.records} records in ${out.files} files, ${out.requests} API requests, ` +
        `${children.length} lanes, max ${maxEvents} history events in one instance, largest message ${biggest} bytes, ` +
        `peak API concurrency ${h.odre.peakConcurrency()}, peak RSS ${(rss.peak() / MB).toFixed(0)} MB`,
    );
  }, 600_000);
});
