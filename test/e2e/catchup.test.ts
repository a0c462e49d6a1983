/**
 * Catch-up after an outage: scheduled runs keep failing for ten hours (40 slots) while the source
 * answers 503; the first run after recovery re-reads from the watermark and Bronze then holds
 * every quarter of the outage. Schedule slots come from `Date.now()`, so Date alone is faked and
 * moved slot by slot; the engine's virtual clock is moved along with it.
 */
import { FAKE_DATE_ONLY, runScheduledSlot, startHarness, type Harness } from './harness';
import { basicIso, iso } from '../../shared/time';
import { scheduledInstanceId } from '../../shared/starters';
import { REGION_CODES } from '../../shared/constants';

const QUARTER = 15 * 60_000;
const HOUR = 3_600_000;
const REGIONAL = 'eco2mix-regional-tr';
const NATIONAL = 'eco2mix-national-tr';
const OUTAGE_SLOTS = 40;

describe('catch-up after a ten-hour outage', () => {
  let h: Harness;
  const s0 = Date.parse('2026-03-10T06:00:00Z');

  /** Moves Date (and the engine's clock) one minute past `slot`, fires the timer, waits for the run. */
  const runSlot = (slot: number) => runScheduledSlot(h, slot);

  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now: s0 });
    h = await startHarness({ odre: { publishDelayMs: 0 } });
  });
  afterAll(async () => {
    await h.stop();
    jest.useRealTimers();
  });

  it('fails through the outage, then lands every quarter of it in one catch-up run', async () => {
    const first = await runSlot(s0);
    expect(JSON.parse(first.output!).status).toBe('succeeded');
    expect(h.state(REGIONAL)?.watermark).toBe(iso(s0));

    h.odre.failUntilCleared(503);
    for (let k = 1; k <= OUTAGE_SLOTS; k++) {
      const slot = s0 + k * QUARTER;
      const rec = await runSlot(slot);
      expect(rec.status).toBe('Failed');
      // [min(watermark, slot - lookback), slot): the watermark stays at s0 through the outage
      expect(JSON.parse(rec.input!)).toMatchObject({
        from: iso(Math.min(s0, slot - 3 * HOUR)),
        to: iso(slot),
      });
    }

    const during = await h.get('/api/ingestion/state');
    expect(during.status).toBe(200);
    const duringStates = during.body.datasets as Record<string, unknown>[];
    for (const d of [REGIONAL, NATIONAL]) {
      expect(duringStates.find((s) => s.dataset === d)).toMatchObject({
        watermark: iso(s0),
        lastRunId: scheduledInstanceId(s0 + OUTAGE_SLOTS * QUARTER),
        lastRunStatus: 'failed',
        consecutiveFailures: OUTAGE_SLOTS,
        // 1 call in the first run, then 4 attempts per failed run
        callsToday: 1 + OUTAGE_SLOTS * 4,
        callsMonth: 1 + OUTAGE_SLOTS * 4,
      });
    }
    expect(h.files('rte/production')).toHaveLength(2);
    // every failed run still wrote its heartbeat
    expect(h.files('audit')).toHaveLength(1 + OUTAGE_SLOTS);
    const lastFailed = JSON.parse(
      h
        .read(
          h
            .files('audit')
            .find((f) => f.endsWith(`heartbeat_${basicIso(s0 + OUTAGE_SLOTS * QUARTER)}.json`))!,
        )
        .toString('utf8'),
    );
    expect(lastFailed.status).toBe('failure');
    expect(
      lastFailed.error_details.map((f: Record<string, unknown>) => [
        f.dataset,
        f.code,
        f.http_status,
        f.retryable,
        f.attempts,
      ]),
    ).toEqual([
      [REGIONAL, 'RTE_HTTP_503', 503, true, 4],
      [NATIONAL, 'RTE_HTTP_503', 503, true, 4],
    ]);

    h.odre.clearFaults();
    const recoverySlot = s0 + (OUTAGE_SLOTS + 1) * QUARTER;
    const recovery = await runSlot(recoverySlot);
    expect(recovery.status).toBe('Completed');
    const out = JSON.parse(recovery.output!);
    expect(out.status).toBe('succeeded');
    expect(JSON.parse(recovery.input!)).toMatchObject({ from: iso(s0), to: iso(recoverySlot) });
    const quarters = OUTAGE_SLOTS + 1;
    expect([out.files, out.records, out.requests]).toEqual([2, quarters * 12 + quarters, 2]);

    // Bronze now holds every regional and national quarter from the first window to the recovery slot
    const regional = new Set<string>();
    const national = new Set<string>();
    for (const file of h.files('rte/production')) {
      const rows = JSON.parse(h.read(file).toString('utf8')) as Record<string, string>[];
      for (const r of rows) {
        const t = iso(Date.parse(r.date_heure!));
        if (file.includes('_regional_')) regional.add(`${r.code_insee_region}@${t}`);
        else national.add(t);
      }
    }
    const missingRegional: string[] = [];
    const missingNational: string[] = [];
    for (let t = s0 - 3 * HOUR; t < recoverySlot; t += QUARTER) {
      for (const code of REGION_CODES)
        if (!regional.has(`${code}@${iso(t)}`)) missingRegional.push(`${code}@${iso(t)}`);
      if (!national.has(iso(t))) missingNational.push(iso(t));
    }
    expect([missingRegional, missingNational]).toEqual([[], []]);
    const outageEnd = s0 + 10 * HOUR;
    const inOutage = (t: string): boolean => Date.parse(t) >= s0 && Date.parse(t) < outageEnd;
    expect([...regional].filter((k) => inOutage(k.split('@')[1]!))).toHaveLength(12 * 40);
    expect([...national].filter(inOutage)).toHaveLength(40);

    const hb = JSON.parse(h.read(out.heartbeat).toString('utf8'));
    expect(hb.status).toBe('success');
    expect(
      hb.slices.map((s: { dataset: string; completeness: { missingQuarterCount: number } }) => [
        s.dataset,
        s.completeness.missingQuarterCount,
      ]),
    ).toEqual([
      [REGIONAL, 0],
      [NATIONAL, 0],
    ]);

    const after = await h.get('/api/ingestion/state');
    const afterStates = after.body.datasets as Record<string, unknown>[];
    const calls = 1 + OUTAGE_SLOTS * 4 + 1;
    for (const d of [REGIONAL, NATIONAL]) {
      expect(afterStates.find((s) => s.dataset === d)).toMatchObject({
        dataset: d,
        watermark: iso(recoverySlot),
        lastRunId: scheduledInstanceId(recoverySlot),
        lastRunStatus: 'succeeded',
        lastRunAt: expect.stringMatching(/^2026-03-10T16:/),
        consecutiveFailures: 0,
        callsToday: calls,
        callsDay: '2026-03-10',
        callsMonth: calls,
        callsMonthKey: '2026-03',
      });
    }
    expect(after.body.budget).toEqual({
      monthly: 50_000,
      usedThisMonth: 2 * calls,
      remaining: 50_000 - 2 * calls,
    });
    // the counters agree with what the source actually served
    expect(h.odre.requests().filter((r) => r.endpoint === 'exports')).toHaveLength(2 * calls);
  });
});

describe('catch-up capped at INGESTION_MAX_RUN_SPAN_DAYS', () => {
  let h: Harness;
  const s0 = Date.parse('2026-03-10T06:00:00Z');
  const runSlot = (slot: number) => runScheduledSlot(h, slot);

  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now: s0 });
    h = await startHarness({ env: { INGESTION_MAX_RUN_SPAN_DAYS: '1' }, odre: { publishDelayMs: 0 } });
  });
  afterAll(async () => {
    await h.stop();
    jest.useRealTimers();
  });

  it('after 60 hours without runs, catches up one day per run until the watermark reaches the slot', async () => {
    await runSlot(s0);
    const back = s0 + 60 * HOUR;
    const windows: [string, string, string | null | undefined][] = [];
    for (const slot of [back, back + QUARTER, back + 2 * QUARTER]) {
      const rec = await runSlot(slot);
      expect(JSON.parse(rec.output!).status).toBe('succeeded');
      const input = JSON.parse(rec.input!);
      windows.push([input.from, input.to, h.state(REGIONAL)?.watermark as string | null | undefined]);
    }
    expect(windows).toEqual([
      [iso(s0), iso(s0 + 24 * HOUR), iso(s0 + 24 * HOUR)],
      [iso(s0 + 24 * HOUR), iso(s0 + 48 * HOUR), iso(s0 + 48 * HOUR)],
      [iso(s0 + 48 * HOUR), iso(back + 2 * QUARTER), iso(back + 2 * QUARTER)],
    ]);
    expect(h.state(NATIONAL)?.watermark).toBe(iso(back + 2 * QUARTER));

    const quarters = new Set<string>();
    for (const file of h.files('rte/production').filter((f) => f.includes('_regional_'))) {
      for (const r of JSON.parse(h.read(file).toString('utf8')) as Record<string, string>[]) {
        quarters.add(`${r.code_insee_region}@${iso(Date.parse(r.date_heure!))}`);
      }
    }
    const missing: string[] = [];
    for (let t = s0 - 3 * HOUR; t < back + 2 * QUARTER; t += QUARTER) {
      for (const code of REGION_CODES)
        if (!quarters.has(`${code}@${iso(t)}`)) missing.push(`${code}@${iso(t)}`);
    }
    expect(missing).toEqual([]);
    expect(quarters.size).toBe(12 * ((back + 2 * QUARTER - (s0 - 3 * HOUR)) / QUARTER));
  });
});
