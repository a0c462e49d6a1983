import { applyRecordRun, callsThisMonth, initialState } from '../../shared/state';

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
});
