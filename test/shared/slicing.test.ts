import { countSlices, landedUntil, planSlices } from '../../shared/slicing';

describe('planSlices', () => {
  it('keeps a three-hour window across midnight as one slice per dataset', () => {
    const slices = planSlices(
      ['eco2mix-regional-tr', 'eco2mix-national-tr'],
      '2026-11-27T22:00:00Z',
      '2026-11-28T01:00:00Z',
    );
    expect(slices).toEqual([
      {
        key: 'regional-20261127T220000Z',
        dataset: 'eco2mix-regional-tr',
        from: '2026-11-27T22:00:00Z',
        to: '2026-11-28T01:00:00Z',
      },
      {
        key: 'national-20261127T220000Z',
        dataset: 'eco2mix-national-tr',
        from: '2026-11-27T22:00:00Z',
        to: '2026-11-28T01:00:00Z',
      },
    ]);
  });
  it('cuts a long window into days, the last one short', () => {
    const slices = planSlices(['eco2mix-regional-tr'], '2026-11-01T00:00:00Z', '2026-11-03T06:00:00Z');
    expect(slices.map((s) => [s.from, s.to])).toEqual([
      ['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z'],
      ['2026-11-02T00:00:00Z', '2026-11-03T00:00:00Z'],
      ['2026-11-03T00:00:00Z', '2026-11-03T06:00:00Z'],
    ]);
  });
  it('counts one request per slice', () => {
    expect(
      countSlices(
        ['eco2mix-regional-tr', 'eco2mix-national-tr'],
        Date.UTC(2026, 9, 1),
        Date.UTC(2026, 9, 31),
      ),
    ).toBe(60);
    expect(countSlices(['eco2mix-regional-tr'], 0, 0)).toBe(0);
  });
});

describe('landedUntil', () => {
  const slices = planSlices(['eco2mix-regional-tr'], '2026-11-01T00:00:00Z', '2026-11-04T00:00:00Z');
  const [a, b, c] = slices.map((s) => s.key) as [string, string, string];
  it('advances over the contiguous prefix only', () => {
    expect(
      landedUntil(
        slices,
        new Map([
          [a, '2026-11-02T00:00:00Z'],
          [c, '2026-11-04T00:00:00Z'],
        ]),
      ),
    ).toBe('2026-11-02T00:00:00Z');
  });
  it('stops at the first missing quarter inside a landed slice', () => {
    expect(
      landedUntil(
        slices,
        new Map([
          [a, '2026-11-01T10:00:00Z'],
          [b, '2026-11-03T00:00:00Z'],
        ]),
      ),
    ).toBe('2026-11-01T10:00:00Z');
  });
  it('is null when the first slice failed', () => {
    expect(landedUntil(slices, new Map([[b, '2026-11-03T00:00:00Z']]))).toBeNull();
  });
});
