import { applyRecordRun, callsThisMonth, initialState, quotaExhaustedUntil } from '../../shared/state';
import type { DatasetState, IncompleteRange, RecordRunOperation } from '../../shared/types';

const op = (
  over: Partial<Parameters<typeof applyRecordRun>[1]> = {},
): Parameters<typeof applyRecordRun>[1] => ({
  runId: 'eco2mix-20261128T0615Z',
  status: 'succeeded',
  at: '2026-11-28T06:15:05Z',
  landedUntil: '2026-11-28T06:15:00Z',
  requests: 2,
  ...over,
});

describe('state entity logic', () => {
  it('records the first run', () => {
    expect(applyRecordRun(initialState('eco2mix-regional-tr'), op())).toEqual({
      dataset: 'eco2mix-regional-tr',
      watermark: '2026-11-28T06:15:00Z',
      lastRunId: 'eco2mix-20261128T0615Z',
      lastRunStatus: 'succeeded',
      lastRunAt: '2026-11-28T06:15:05Z',
      consecutiveFailures: 0,
      callsToday: 2,
      callsDay: '2026-11-28',
      callsMonth: 2,
      callsMonthKey: '2026-11',
      incomplete: [],
      gaps: [],
      quotaExhaustedUntil: null,
      rateLimitRemaining: null,
      rateLimitAt: null,
      lastSweepDay: null,
      coverage: null,
    });
  });
  it('never moves the watermark back and counts failures', () => {
    const s1 = applyRecordRun(initialState('eco2mix-regional-tr'), op());
    const s2 = applyRecordRun(s1, op({ status: 'failed', landedUntil: null, requests: 4 }));
    const s3 = applyRecordRun(
      s2,
      op({ status: 'partial', landedUntil: '2026-11-28T03:00:00Z', requests: 1 }),
    );
    expect([s3.watermark, s3.consecutiveFailures, s3.callsToday]).toEqual(['2026-11-28T06:15:00Z', 2, 7]);
  });
  it('rolls the day and month counters over', () => {
    const s1 = applyRecordRun(
      initialState('eco2mix-national-tr'),
      op({ at: '2026-11-30T23:45:00Z', requests: 5 }),
    );
    const s2 = applyRecordRun(s1, op({ at: '2026-12-01T00:00:00Z', requests: 1 }));
    expect([s2.callsToday, s2.callsMonth, s2.callsMonthKey]).toEqual([1, 1, '2026-12']);
    expect(callsThisMonth([s1, s2], Date.UTC(2026, 11, 5))).toBe(1);
    expect(callsThisMonth([s1], Date.UTC(2026, 10, 30))).toBe(5);
  });

  it('fills the ledger fields of a state saved before they existed', () => {
    const old = { dataset: 'eco2mix-regional-tr', watermark: '2026-11-28T06:00:00Z' } as DatasetState;
    const next = applyRecordRun(old, op());
    expect([next.watermark, next.gaps, next.incomplete]).toEqual(['2026-11-28T06:15:00Z', [], []]);
  });
});

const H = 3600_000;
const NAT = 'eco2mix-national-tr' as const;
const policy = { horizonMs: 24 * H, giveUpMs: 14 * 24 * H };
/** One scheduled run of the national dataset at `at`, window [from, to), incomplete ranges given. */
const runAt = (
  state: DatasetState,
  at: string,
  from: string,
  to: string,
  incomplete: IncompleteRange[] = [],
  extra: Partial<RecordRunOperation> = {},
): DatasetState =>
  applyRecordRun(state, {
    runId: `eco2mix-${at}`,
    status: 'succeeded',
    at,
    landedUntil: to,
    requests: 1,
    checked: [{ from, to, incomplete }],
    gapPolicy: policy,
    ...extra,
  });
const hole = (from: string, to: string, reason: 'missing' | 'unpublished' = 'missing'): IncompleteRange => ({
  from,
  to,
  expected: (Date.parse(to) - Date.parse(from)) / 900_000,
  received: 0,
  reason,
});

describe('gap ledger', () => {
  it('holds the watermark at an incomplete quarter for the horizon, then records a gap and moves past it', () => {
    const autumn = hole('2026-10-25T00:00:00Z', '2026-10-25T01:00:00Z');
    let s = runAt(initialState(NAT), '2026-10-25T03:00:05Z', '2026-10-25T00:00:00Z', '2026-10-25T03:00:00Z', [
      autumn,
    ]);
    expect(s.watermark).toBe('2026-10-25T00:00:00Z');
    expect(s.incomplete).toMatchObject([
      { from: '2026-10-25T00:00:00Z', to: '2026-10-25T01:00:00Z', firstSeen: '2026-10-25T03:00:05Z' },
    ]);
    // 23 hours later the quarter is still missing: still pending, the first sighting is kept
    s = runAt(s, '2026-10-26T02:00:05Z', '2026-10-25T00:00:00Z', '2026-10-26T02:00:00Z', [autumn]);
    expect([s.watermark, s.gaps.length, s.incomplete[0]?.firstSeen]).toEqual([
      '2026-10-25T00:00:00Z',
      0,
      '2026-10-25T03:00:05Z',
    ]);
    // past the horizon: a gap, and the watermark reaches the end of what was stored
    s = runAt(s, '2026-10-26T03:15:05Z', '2026-10-25T00:00:00Z', '2026-10-26T03:15:00Z', [autumn]);
    expect(s.watermark).toBe('2026-10-26T03:15:00Z');
    expect(s.incomplete).toEqual([]);
    expect(s.gaps).toEqual([
      {
        from: '2026-10-25T00:00:00Z',
        to: '2026-10-25T01:00:00Z',
        expected: 4,
        received: 0,
        reason: 'missing',
        firstSeen: '2026-10-25T03:00:05Z',
        lastChecked: '2026-10-26T03:15:05Z',
        status: 'open',
      },
    ]);
  });

  it('closes a gap that a later read finds complete, and marks one permanent after the give-up age', () => {
    const a = hole('2026-11-01T10:00:00Z', '2026-11-01T10:15:00Z', 'unpublished');
    const b = hole('2026-11-01T12:00:00Z', '2026-11-01T12:15:00Z');
    let s = runAt(initialState(NAT), '2026-11-01T13:00:05Z', '2026-11-01T10:00:00Z', '2026-11-01T13:00:00Z', [
      a,
      b,
    ]);
    s = runAt(s, '2026-11-02T13:00:05Z', '2026-11-02T10:00:00Z', '2026-11-02T13:00:00Z');
    expect(s.gaps.map((g) => [g.from, g.status, g.reason])).toEqual([
      ['2026-11-01T10:00:00Z', 'open', 'unpublished'],
      ['2026-11-01T12:00:00Z', 'open', 'missing'],
    ]);
    // the daily sweep reads 2026-11-01 again: 10:00 has its values now, 12:00 is still missing
    s = runAt(s, '2026-11-03T04:00:05Z', '2026-11-03T01:00:00Z', '2026-11-03T04:00:00Z', [], {
      checked: [
        { from: '2026-11-03T01:00:00Z', to: '2026-11-03T04:00:00Z', incomplete: [] },
        { from: '2026-11-01T10:00:00Z', to: '2026-11-01T12:15:00Z', incomplete: [b] },
      ],
      swept: true,
    });
    expect(s.gaps.map((g) => [g.from, g.status, g.lastChecked, g.closedAt ?? null])).toEqual([
      ['2026-11-01T12:00:00Z', 'open', '2026-11-03T04:00:05Z', null],
      ['2026-11-01T10:00:00Z', 'closed', '2026-11-03T04:00:05Z', '2026-11-03T04:00:05Z'],
    ]);
    // a closed gap says it is whole now, not what the check before the sweep counted
    expect(s.gaps.map((g) => [g.status, g.received, g.expected])).toEqual([
      ['open', 0, 1],
      ['closed', 1, 1],
    ]);
    expect(s.lastSweepDay).toBe('2026-11-03');
    s = runAt(s, '2026-11-15T13:00:05Z', '2026-11-15T10:00:00Z', '2026-11-15T13:00:00Z');
    expect(s.gaps.map((g) => [g.from, g.status])).toEqual([
      ['2026-11-01T12:00:00Z', 'permanent'],
      ['2026-11-01T10:00:00Z', 'closed'],
    ]);
  });

  it('ignores incomplete quarters behind the watermark (a backfill) when moving it', () => {
    let s = runAt(initialState(NAT), '2026-11-10T06:00:05Z', '2026-11-10T03:00:00Z', '2026-11-10T06:00:00Z');
    s = runAt(s, '2026-11-10T06:15:05Z', '2026-11-10T03:15:00Z', '2026-11-10T06:15:00Z', [], {
      checked: [
        { from: '2026-11-10T03:15:00Z', to: '2026-11-10T06:15:00Z', incomplete: [] },
        {
          from: '2026-11-01T00:00:00Z',
          to: '2026-11-02T00:00:00Z',
          incomplete: [hole('2026-11-01T05:00:00Z', '2026-11-01T05:15:00Z')],
        },
      ],
    });
    expect([s.watermark, s.incomplete.length]).toEqual(['2026-11-10T06:15:00Z', 1]);
  });

  it('records quotaExhaustedUntil and X-RateLimit-Remaining; a deferred run is no failure', () => {
    let s = runAt(
      initialState(NAT),
      '2026-11-10T06:00:05Z',
      '2026-11-10T03:00:00Z',
      '2026-11-10T06:00:00Z',
      [],
      {
        rateLimitRemaining: 4321,
      },
    );
    s = applyRecordRun(s, {
      runId: 'r2',
      status: 'deferred',
      at: '2026-11-10T06:15:05Z',
      landedUntil: null,
      requests: 1,
      quotaExhaustedUntil: '2026-11-11T00:00:00Z',
    });
    expect([s.quotaExhaustedUntil, s.rateLimitRemaining, s.rateLimitAt, s.consecutiveFailures]).toEqual([
      '2026-11-11T00:00:00Z',
      4321,
      '2026-11-10T06:00:05Z',
      0,
    ]);
    expect(quotaExhaustedUntil([s], Date.parse('2026-11-10T12:00:00Z'))).toBe('2026-11-11T00:00:00Z');
    expect(quotaExhaustedUntil([s], Date.parse('2026-11-11T00:00:00Z'))).toBeNull();
    s = runAt(s, '2026-11-11T00:00:05Z', '2026-11-10T06:00:00Z', '2026-11-11T00:00:00Z');
    expect(s.quotaExhaustedUntil).toBeNull();
  });
});
