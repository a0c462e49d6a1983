import {
  fixed,
  formatMs,
  historyStats,
  latencyLimitMs,
  median,
  monthlyProjection,
} from '../../../tools/bench/stats';

describe('bench helpers', () => {
  it('takes the median of odd and even lists without reordering the input', () => {
    const input = [5, 1, 3];
    expect(median(input)).toBe(3);
    expect(input).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('empty');
  });

  it('counts history events, episodes and replays', () => {
    const h = [12, 0, 4, 4, 13, 12, 5, 5, 13, 12, 1, 13].map((EventType) => ({ EventType }));
    expect(historyStats(h)).toEqual({ events: 12, episodes: 3, replays: 2, tasksScheduled: 2 });
    expect(historyStats([])).toEqual({ events: 0, episodes: 0, replays: 0, tasksScheduled: 0 });
  });

  it('projects a month of scheduled runs against the budget', () => {
    expect(monthlyProjection(2, 96, 30, 50_000)).toEqual({ calls: 5760, share: 0.1152 });
  });

  it('computes the latency limit of a backfill', () => {
    expect(latencyLimitMs(60, 200, 4)).toBe(3000);
    expect(latencyLimitMs(60, 200, 0)).toBe(12_000);
  });

  it('formats figures', () => {
    expect(fixed(1.23456)).toBe('1.235');
    expect(fixed(2, 2)).toBe('2.00');
    expect(fixed(Number.NaN)).toBe('NaN');
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(12_345)).toBe('12.35 s');
  });
});
