import { planScheduledRun, slotFor, sweepWindows } from '../../shared/scheduledPlan';
import { initialState } from '../../shared/state';
import type { DatasetState, GapEntry } from '../../shared/types';

const REG = 'eco2mix-regional-tr' as const;
const NAT = 'eco2mix-national-tr' as const;
const cfg = {
  datasets: [REG, NAT],
  monthlyCallBudget: 50_000,
  gapSweepHour: 4,
  gapSweepMaxCalls: 20,
  gapHorizonMs: 24 * 3600_000,
  gapGiveUpMs: 14 * 86_400_000,
};
const gap = (from: string, to: string, status: GapEntry['status'] = 'open'): GapEntry => ({
  from,
  to,
  expected: 12,
  received: 0,
  reason: 'missing',
  firstSeen: '2026-11-02T00:00:00Z',
  lastChecked: '2026-11-02T00:00:00Z',
  status,
});
const withGaps = (s: DatasetState, gaps: GapEntry[]): DatasetState => ({ ...s, gaps });

describe('the timer slot', () => {
  const slot = Date.parse('2026-11-28T06:15:00Z');
  const status = (next: string) => ({
    last: '2026-11-28T06:00:00Z',
    next,
    lastUpdated: '2026-11-28T06:00:00Z',
  });
  it('a fire up to 60 s early starts the slot scheduleStatus.next names', () => {
    expect(slotFor({ isPastDue: false, scheduleStatus: status('2026-11-28T06:15:00Z') }, slot - 5)).toBe(
      slot,
    );
    expect(slotFor({ isPastDue: false, scheduleStatus: status('2026-11-28T06:15:00Z') }, slot - 60_000)).toBe(
      slot,
    );
  });
  it('falls back to the quarter now is in without a status, when past due, or when next is far', () => {
    expect(slotFor({ isPastDue: false, scheduleStatus: null }, slot - 5)).toBe(slot - 900_000);
    expect(slotFor({ isPastDue: true, scheduleStatus: status('2026-11-28T06:15:00Z') }, slot - 5)).toBe(
      slot - 900_000,
    );
    expect(slotFor({ isPastDue: false, scheduleStatus: status('2026-11-28T06:15:00Z') }, slot - 61_000)).toBe(
      slot - 900_000,
    );
    expect(slotFor({ isPastDue: false, scheduleStatus: status('2026-11-28T06:30:00Z') }, slot + 2_000)).toBe(
      slot,
    );
  });
});

describe('the scheduled plan', () => {
  const window = { from: '2026-11-05T03:15:00Z', to: '2026-11-05T06:15:00Z' };
  const slot = Date.parse(window.to);
  it('sweeps once a day from the sweep hour, one window per gap day, oldest first, capped', () => {
    const reg = withGaps(initialState(REG), [
      gap('2026-11-02T10:00:00Z', '2026-11-02T10:15:00Z'),
      gap('2026-11-02T12:00:00Z', '2026-11-02T12:15:00Z'),
      gap('2026-11-01T23:45:00Z', '2026-11-02T00:15:00Z'),
      gap('2026-10-20T00:00:00Z', '2026-10-20T00:15:00Z', 'permanent'),
      gap('2026-10-21T00:00:00Z', '2026-10-21T00:15:00Z', 'closed'),
    ]);
    const nat = withGaps(initialState(NAT), [gap('2026-11-03T01:00:00Z', '2026-11-03T01:15:00Z')]);
    const plan = planScheduledRun([reg, nat], window, slot, cfg, slot);
    expect(plan.sweep).toEqual([
      { dataset: REG, from: '2026-11-01T23:45:00Z', to: '2026-11-02T00:00:00Z' },
      { dataset: REG, from: '2026-11-02T00:00:00Z', to: '2026-11-02T12:15:00Z' },
      { dataset: NAT, from: '2026-11-03T01:00:00Z', to: '2026-11-03T01:15:00Z' },
    ]);
    expect(sweepWindows([reg, nat], 2)).toHaveLength(2);
    expect(plan.gaps).toEqual([
      expect.objectContaining({ dataset: REG, open: 3, permanent: 1 }),
      expect.objectContaining({ dataset: NAT, open: 1, permanent: 0 }),
    ]);
    // already swept today, or before the sweep hour: no sweep
    const swept = [reg, nat].map((s) => ({ ...s, lastSweepDay: '2026-11-05' }));
    expect(planScheduledRun(swept, window, slot, cfg, slot).sweep).toBeUndefined();
    const early = Date.parse('2026-11-05T03:45:00Z');
    expect(planScheduledRun([reg, nat], window, early, cfg, early).sweep).toBeUndefined();
  });

  it('defers every request while the quota is exhausted, saying until when', () => {
    const s = { ...initialState(REG), quotaExhaustedUntil: '2026-11-06T00:00:00Z' };
    expect(planScheduledRun([s], window, slot, cfg, slot).deferred).toEqual({
      until: '2026-11-06T00:00:00Z',
      reason: 'API quota exhausted until 2026-11-06T00:00:00Z (a 429 with reset_time)',
    });
    const after = Date.parse('2026-11-06T00:00:00Z');
    expect(planScheduledRun([s], window, after, cfg, after).deferred).toBeUndefined();
  });

  it('shrinks a catch-up to what the monthly budget allows and says so; defers when nothing is left', () => {
    const used = { ...initialState(REG), callsMonth: 49_994, callsMonthKey: '2026-11' };
    const catchUp = { from: '2026-10-29T06:15:00Z', to: '2026-11-05T06:15:00Z' };
    const plan = planScheduledRun(
      [used, initialState(NAT)],
      catchUp,
      slot,
      { ...cfg, gapSweepHour: 23 },
      slot,
    );
    expect([plan.from, plan.to]).toEqual(['2026-10-29T06:15:00Z', '2026-11-01T06:15:00Z']);
    expect(plan.notes).toEqual([
      'catch-up shrunk from [2026-10-29T06:15:00Z, 2026-11-05T06:15:00Z) to [2026-10-29T06:15:00Z, 2026-11-01T06:15:00Z) by the monthly budget: 6 call(s) left',
    ]);
    const spent = { ...used, callsMonth: 50_000 };
    expect(planScheduledRun([spent], window, slot, cfg, slot).deferred).toEqual({
      until: '2026-12-01T00:00:00Z',
      reason: 'monthly API call budget spent (50000 of 50000)',
    });
  });
});
