/**
 * The real app in the embedded runtime against the ODRE stand-in, on a faked Date: a permanent
 * upstream hole becomes a gap and the watermark moves past it; a 429 with reset_time defers the
 * run (no retry) and the runs before the reset send nothing; a timer firing early starts its own
 * slot.
 */
import { FN } from '../../shared/constants';
import { scheduledInstanceId } from '../../shared/starters';
import { iso } from '../../shared/time';
import type { DatasetState } from '../../shared/types';
import { VirtualClock } from '../../tools/runtime/clock';
import { FAKE_DATE_ONLY, startHarness, type Harness, type HarnessOptions } from './harness';

const Q = 900_000;
const REGIONAL = 'eco2mix-regional-tr';
const NATIONAL = 'eco2mix-national-tr';

/** The app's Date and the engine's clock move together, as on a real host. */
let clock: VirtualClock;
/** One harness per block, on its own virtual clock from `now`, with Date faked to follow it. */
function useHarness(
  now: number,
  opts: Omit<HarnessOptions, 'now' | 'host'>,
  set: (h: Harness) => void,
): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now });
    clock = new VirtualClock(new Date(now));
    h = await startHarness({ now, host: { clock }, ...opts });
    set(h);
  });
  afterAll(async () => {
    await h?.stop();
    jest.useRealTimers();
  });
}

async function runSlot(h: Harness, slot: number): Promise<Record<string, unknown>> {
  jest.setSystemTime(slot + 7_000);
  clock.advanceTo(new Date(slot + 7_000));
  await h.fireTimer();
  const rec = await h.wait(scheduledInstanceId(slot));
  return JSON.parse(rec.output ?? '{}') as Record<string, unknown>;
}

const heartbeat = (h: Harness, out: Record<string, unknown>) =>
  JSON.parse(h.read(out.heartbeat as string).toString('utf8')) as Record<string, unknown>;

describe('a region missing one quarter for good', () => {
  let h: Harness;
  const start = Date.parse('2026-11-10T06:15:00Z');
  useHarness(
    start,
    {
      env: {
        INGESTION_GAP_HORIZON_HOURS: '1',
        INGESTION_GAP_GIVE_UP_DAYS: '1',
        INGESTION_GAP_SWEEP_HOUR_UTC: '23',
      },
      odre: { gaps: [{ dataset: REGIONAL, from: '2026-11-10T04:00:00Z', regions: ['32'] }] },
    },
    (started) => (h = started),
  );

  it('holds the watermark for the horizon, then records a gap and moves past it', async () => {
    let out: Record<string, unknown> = {};
    for (let slot = start; slot <= start + 8 * Q; slot += Q) out = await runSlot(h, slot);
    const regional = h.state(REGIONAL) as unknown as DatasetState;
    // the last hour is unpublished (the stand-in's one-hour lag): it holds the watermark
    expect(regional.watermark).toBe('2026-11-10T07:15:00Z');
    expect((h.state(NATIONAL) as unknown as DatasetState).watermark).toBe('2026-11-10T07:15:00Z');
    expect(regional.gaps).toEqual([
      {
        from: '2026-11-10T04:00:00Z',
        to: '2026-11-10T04:15:00Z',
        expected: 12,
        received: 11,
        reason: 'missing',
        firstSeen: '2026-11-10T06:15:07.000Z',
        lastChecked: '2026-11-10T07:15:07.000Z',
        status: 'open',
      },
    ]);
    const state = await h.get('/api/ingestion/state');
    const listed = (state.body.datasets as DatasetState[]).find((d) => d.dataset === REGIONAL);
    expect(listed?.gaps).toEqual(regional.gaps);
    expect(heartbeat(h, out).gaps).toEqual([
      {
        dataset: REGIONAL,
        open: 1,
        permanent: 0,
        gaps: [
          { from: '2026-11-10T04:00:00Z', to: '2026-11-10T04:15:00Z', reason: 'missing', status: 'open' },
        ],
      },
      { dataset: NATIONAL, open: 0, permanent: 0, gaps: [] },
    ]);
    // once a gap, the window is back to the lookback: [slot - 3 h, slot)
    const input = h.host.engine.getInstance(scheduledInstanceId(start + 8 * Q))?.input as string;
    expect(JSON.parse(input)).toMatchObject({ from: '2026-11-10T05:15:00Z', to: '2026-11-10T08:15:00Z' });
  });
});

describe('an exhausted quota (429 with reset_time)', () => {
  let h: Harness;
  const start = Date.parse('2026-11-12T10:15:00Z');
  useHarness(start, {}, (started) => (h = started));

  it('defers the run without a retry, sends nothing before the reset, then catches up', async () => {
    expect((await runSlot(h, start)).status).toBe('succeeded');
    h.odre.resetLog();
    h.odre.failUntilCleared(429);
    const deferred = await runSlot(h, start + Q);
    expect(deferred).toMatchObject({ status: 'deferred', failures: [] });
    // one request per slice, never retried against an exhausted quota
    expect(h.odre.requests()).toHaveLength(2);
    const until = (h.state(REGIONAL) as unknown as DatasetState).quotaExhaustedUntil;
    expect(until).toBe('2026-11-13T00:00:00Z');
    expect(heartbeat(h, deferred)).toMatchObject({ status: 'deferred', deferred_slices: expect.any(Array) });

    h.odre.clearFaults();
    h.odre.resetLog();
    const quiet = await runSlot(h, start + 2 * Q);
    expect(h.odre.requests()).toHaveLength(0);
    expect(heartbeat(h, quiet)).toMatchObject({
      status: 'deferred',
      api_requests: 0,
      deferred: {
        until: '2026-11-13T00:00:00Z',
        reason: 'API quota exhausted until 2026-11-13T00:00:00Z (a 429 with reset_time)',
      },
    });
    expect(heartbeat(h, quiet).warnings).toContain(
      'no request sent: API quota exhausted until 2026-11-13T00:00:00Z (a 429 with reset_time)',
    );

    const after = Date.parse('2026-11-13T00:00:00Z');
    const caughtUp = await runSlot(h, after);
    expect(caughtUp.status).toBe('succeeded');
    const input = JSON.parse(h.host.engine.getInstance(scheduledInstanceId(after))?.input as string) as {
      from: string;
    };
    expect(input.from).toBe('2026-11-12T09:15:00Z');
    expect((h.state(REGIONAL) as unknown as DatasetState).quotaExhaustedUntil).toBeNull();
  });
});

describe('a timer that fires early', () => {
  let h: Harness;
  const slot = Date.parse('2026-11-14T12:30:00Z');
  useHarness(slot - Q, {}, (started) => (h = started));

  it('starts the slot scheduleStatus.next names, not the previous one', async () => {
    await runSlot(h, slot - Q);
    jest.setSystemTime(slot - 400);
    await h.host.invoke(FN.timerStarter, {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: iso(slot - Q), next: iso(slot), lastUpdated: iso(slot - Q) },
    });
    const rec = await h.wait(scheduledInstanceId(slot));
    expect(JSON.parse(rec.input as string)).toMatchObject({ slot: iso(slot), to: iso(slot) });
  });
});

describe('the daily gap sweep', () => {
  let h: Harness;
  const start = Date.parse('2026-11-16T06:15:00Z');
  useHarness(
    start,
    {
      env: {
        INGESTION_GAP_HORIZON_HOURS: '1',
        INGESTION_GAP_GIVE_UP_DAYS: '1',
        INGESTION_GAP_SWEEP_HOUR_UTC: '8',
      },
      odre: { gaps: [{ dataset: REGIONAL, from: '2026-11-16T04:00:00Z', regions: ['84'] }] },
    },
    (started) => (h = started),
  );

  it('re-reads an open gap once a day; a gap that fills is closed and its data lands', async () => {
    for (let slot = start; slot <= start + 6 * Q; slot += Q) await runSlot(h, slot);
    expect((h.state(REGIONAL) as unknown as DatasetState).gaps.map((g) => [g.from, g.status])).toEqual([
      ['2026-11-16T04:00:00Z', 'open'],
    ]);
    h.odre.setGaps([]);
    h.odre.resetLog();
    const sweepRun = await runSlot(h, start + 7 * Q); // 08:00Z: the first run from the sweep hour
    const urls = h.odre.requests().map((r) => r.query.where ?? '');
    expect(urls).toHaveLength(3);
    expect(urls.filter((u) => u.includes("date_heure >= date'2026-11-16T04:00:00Z'"))).toHaveLength(1);
    const regional = h.state(REGIONAL) as unknown as DatasetState;
    expect(regional.gaps.map((g) => [g.from, g.status, g.closedAt])).toEqual([
      ['2026-11-16T04:00:00Z', 'closed', '2026-11-16T08:00:07.000Z'],
    ]);
    expect(regional.lastSweepDay).toBe('2026-11-16');
    const file = (heartbeat(h, sweepRun).files as { path: string }[]).find((f) =>
      f.path.endsWith('_20261116T040000Z.json'),
    );
    const rows = JSON.parse(h.read(file?.path ?? '').toString('utf8')) as Record<string, unknown>[];
    expect(
      rows.filter((r) => r.code_insee_region === '84' && r.date_heure === '2026-11-16T04:00:00+00:00'),
    ).toHaveLength(1);
    // the next runs of the day do not sweep again
    h.odre.resetLog();
    await runSlot(h, start + 8 * Q);
    expect(h.odre.requests()).toHaveLength(2);
  });
});

describe('a feed that lags more than the lookback', () => {
  let h: Harness;
  const start = Date.parse('2026-11-18T12:00:00Z');
  useHarness(start, { odre: { publishDelayMs: 5 * 3600_000 } }, (started) => (h = started));

  it('keeps re-reading quarters stored with null values until they are published', async () => {
    await runSlot(h, start);
    // every quarter of [09:00, 12:00) still carries nulls: the watermark stays at the first one
    expect((h.state(NATIONAL) as unknown as DatasetState).watermark).toBe('2026-11-18T09:00:00Z');
    await runSlot(h, start + Q);
    const input = JSON.parse(h.host.engine.getInstance(scheduledInstanceId(start + Q))?.input as string) as {
      from: string;
    };
    // beyond the 3-hour lookback (09:15): the unpublished quarters are read again
    expect(input.from).toBe('2026-11-18T09:00:00Z');
    expect((h.state(NATIONAL) as unknown as DatasetState).watermark).toBe('2026-11-18T09:00:00Z');
    // 09:00-09:15 is published 5 h after it ends
    await runSlot(h, Date.parse('2026-11-18T14:15:00Z'));
    expect((h.state(NATIONAL) as unknown as DatasetState).watermark).toBe('2026-11-18T09:15:00Z');
  });
});
