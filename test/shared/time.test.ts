import { basicIso, datePartition, floorToQuarter, iso, parseInstant } from '../../shared/time';

describe('parseInstant', () => {
  it('accepts Z and offsets', () => {
    expect(parseInstant('2026-11-28T06:15:00Z')?.toISOString()).toBe('2026-11-28T06:15:00.000Z');
    expect(parseInstant('2026-03-25T03:30:00+01:00')?.toISOString()).toBe('2026-03-25T02:30:00.000Z');
  });
  it('refuses dates without a zone, date-only, and impossible calendar dates', () => {
    expect(parseInstant('2026-11-28T06:15:00')).toBeNull();
    expect(parseInstant('2026-11-28')).toBeNull();
    expect(parseInstant('2026-02-30T00:00:00Z')).toBeNull();
    expect(parseInstant('yesterday')).toBeNull();
  });
});

describe('formats', () => {
  const t = Date.UTC(2026, 10, 28, 6, 22, 41);
  it('floors to the quarter hour', () => expect(iso(floorToQuarter(t))).toBe('2026-11-28T06:15:00Z'));
  it('writes basic ISO without colons', () => expect(basicIso(floorToQuarter(t))).toBe('20261128T061500Z'));
  it('partitions by UTC date', () => expect(datePartition(t)).toBe('2026/11/28'));
});
