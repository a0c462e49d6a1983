/**
 * A 30-day backfill: 60 slices, one request each, fanned out at most INGESTION_PARALLELISM at a
 * time, and exactly 30 days of rows in Bronze.
 */
import { SUITE_MIDNIGHT } from '../setup/epoch';
import { iso } from '../../shared/time';
import { LANE_FETCHES } from '../../shared/orchestration/chunks';
import { readHostJson } from '../../tools/runtime/hostJson';
import { ROOT, startHarness, type Harness } from './harness';

const MAX_ACTIVITIES = readHostJson(ROOT).extensions?.durableTask?.maxConcurrentActivityFunctions ?? 10;

const DAY_MS = 86_400_000;
const REGIONAL = 'eco2mix-regional-tr';
const NATIONAL = 'eco2mix-national-tr';

describe('a 30-day backfill', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { INGESTION_PARALLELISM: '3' }, odre: { latencyMs: 20 } });
  });
  afterAll(async () => h.stop());

  it('lands 30 x 1152 regional and 30 x 96 national rows with fan-out bounded at 3', async () => {
    const to = SUITE_MIDNIGHT - 86_400_000;
    const from = to - 30 * DAY_MS;
    const started = await h.startRun({ from: iso(from), to: iso(to) });
    expect(started.status).toBe(202);
    const rec = await h.wait(started.body.id as string);
    expect(rec.status).toBe('Completed');
    const out = JSON.parse(rec.output!);
    expect([out.status, out.files, out.records, out.requests, out.failures]).toEqual([
      'succeeded',
      60,
      30 * 1152 + 30 * 96,
      60,
      [],
    ]);
    expect(out.watermarks).toEqual({ [REGIONAL]: iso(to), [NATIONAL]: iso(to) });

    // the backfill first asks each dataset for its coverage (one records request each)
    const coverage = h.odre.requests().filter((r) => r.endpoint !== 'exports');
    expect(coverage.map((r) => [r.endpoint, r.dataset, r.status, r.query.group_by])).toEqual([
      ['records', REGIONAL, 200, 'nature'],
      ['records', NATIONAL, 200, 'nature'],
    ]);
    const served = h.odre.requests().filter((r) => r.endpoint === 'exports');
    expect(served).toHaveLength(60);
    expect(served.every((r) => r.status === 200)).toBe(true);
    // one request per slice: every (dataset, window) asked exactly once
    const windows = new Set(served.map((r) => `${r.dataset} ${r.query.where}`));
    expect(windows.size).toBe(60);
    // the request gate: 3 requests at once, never more, though each lane keeps two fetches scheduled
    expect(h.odre.peakConcurrency()).toBe(3);
    // per lane LANE_FETCHES fetches and one store at most, within the host's activity bound
    expect(h.host.engine.peakActivities).toBeLessThanOrEqual(
      Math.min(MAX_ACTIVITIES, 3 * (LANE_FETCHES + 1)),
    );
    expect(h.host.engine.peakActivities).toBeGreaterThan(3);

    const files = h.files('rte/production');
    expect(files).toHaveLength(60);
    const rows = { regional: 0, national: 0 };
    const regionalQuarters = new Set<string>();
    for (const file of files) {
      const list = JSON.parse(h.read(file).toString('utf8')) as Record<string, string>[];
      if (file.includes('_regional_')) {
        rows.regional += list.length;
        for (const r of list) regionalQuarters.add(`${r.code_insee_region}@${r.date_heure}`);
      } else rows.national += list.length;
    }
    expect(rows).toEqual({ regional: 30 * 1152, national: 30 * 96 });
    expect(regionalQuarters.size).toBe(30 * 1152);

    const hb = JSON.parse(h.read(out.heartbeat).toString('utf8'));
    expect([hb.status, hb.record_count, hb.api_requests, hb.slices.length, hb.warnings]).toEqual([
      'success',
      30 * 1152 + 30 * 96,
      60,
      60,
      [],
    ]);
    // 30 exports + the coverage request, counted in the dataset's budget
    expect(h.state(REGIONAL)).toMatchObject({ watermark: iso(to), callsToday: 31, callsMonth: 31 });
  });
});
