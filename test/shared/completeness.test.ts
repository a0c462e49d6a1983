import { checkCompleteness, expectedRows } from '../../shared/completeness';
import { DATASET_REGISTRY } from '../../shared/datasets';
import { REGION_CODES } from '../../shared/constants';

const row = (t: string, region: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
  const r: Record<string, unknown> = Object.fromEntries(
    DATASET_REGISTRY['eco2mix-regional-tr'].fields.map((f) => [f, 1]),
  );
  return { ...r, code_insee_region: region, date_heure: t, ...extra };
};

describe('completeness', () => {
  it('expects 12 x 96 regional rows a UTC day, DST day included', () => {
    expect(expectedRows('eco2mix-regional-tr', Date.UTC(2026, 2, 29), Date.UTC(2026, 2, 30))).toBe(1152);
    expect(expectedRows('eco2mix-national-tr', Date.UTC(2026, 9, 25), Date.UTC(2026, 9, 26))).toBe(96);
  });

  it('lists missing quarters, null measures and drift', () => {
    const rows = [
      ...REGION_CODES.map((c) => row('2026-11-28T00:00:00+00:00', c)),
      ...REGION_CODES.slice(1).map((c) => row('2026-11-28T00:15:00+00:00', c, { consommation: null })),
      row('2026-11-28T00:30:00+00:00', '11', { new_field: 3 }),
    ];
    const c = checkCompleteness('eco2mix-regional-tr', '2026-11-28T00:00:00Z', '2026-11-28T01:00:00Z', rows);
    expect(c).toEqual({
      expected: 48,
      received: 24,
      nullMeasures: 11,
      duplicateRows: 0,
      duplicateWarning: null,
      missingQuarterCount: 3,
      missingQuarters: ['2026-11-28T00:15:00Z', '2026-11-28T00:30:00Z', '2026-11-28T00:45:00Z'],
      incomplete: [
        {
          from: '2026-11-28T00:15:00Z',
          to: '2026-11-28T01:00:00Z',
          expected: 36,
          received: 1,
          reason: 'missing',
        },
      ],
      schemaWarnings: ['unexpected field "new_field"'],
      firstMissing: '2026-11-28T00:15:00Z',
    });
  });

  it('reports fields that disappeared', () => {
    const national = Object.fromEntries(
      DATASET_REGISTRY['eco2mix-national-tr'].fields.filter((f) => f !== 'taux_co2').map((f) => [f, 1]),
    );
    const c = checkCompleteness('eco2mix-national-tr', '2026-11-28T00:00:00Z', '2026-11-28T00:15:00Z', [
      { ...national, date_heure: '2026-11-28T00:00:00+00:00' },
    ]);
    expect([c.missingQuarterCount, c.firstMissing, c.schemaWarnings]).toEqual([
      0,
      null,
      ['missing field "taux_co2"'],
    ]);
  });

  it('counts a quarter whose rows are all there but whose measure is null as not landed (unpublished)', () => {
    const rows = [
      ...REGION_CODES.map((c) => row('2026-11-28T00:00:00+00:00', c)),
      ...REGION_CODES.map((c, i) =>
        row('2026-11-28T00:15:00+00:00', c, i === 3 ? { consommation: null } : {}),
      ),
      ...REGION_CODES.map((c) => row('2026-11-28T00:30:00+00:00', c, { consommation: 'ND' })),
    ];
    const c = checkCompleteness('eco2mix-regional-tr', '2026-11-28T00:00:00Z', '2026-11-28T00:45:00Z', rows);
    expect([c.missingQuarterCount, c.firstMissing, c.nullMeasures]).toEqual([2, '2026-11-28T00:15:00Z', 13]);
    expect(c.incomplete).toEqual([
      {
        from: '2026-11-28T00:15:00Z',
        to: '2026-11-28T00:45:00Z',
        expected: 24,
        received: 11,
        reason: 'unpublished',
      },
    ]);
  });

  it('counts spring ghost rows once, as duplicateRows, with a warning naming the ghost hour', () => {
    const ghost = ['01:00', '01:15', '01:30', '01:45'].map((t) => `2026-03-29T${t}:00+00:00`);
    // two rows per (region, instant) for 01:00-01:45Z on the spring change day
    const rows = ghost.flatMap((t) => REGION_CODES.flatMap((c) => [row(t, c), row(t, c)]));
    const c = checkCompleteness('eco2mix-regional-tr', '2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z', rows);
    expect([c.received, c.expected, c.missingQuarterCount, c.duplicateRows]).toEqual([96, 48, 0, 48]);
    expect(c.duplicateWarning).toBe(
      '48 duplicate row(s) at 2026-03-29T01:00:00Z, 2026-03-29T01:15:00Z, 2026-03-29T01:30:00Z, 2026-03-29T01:45:00Z (the spring ghost hour: Paris 02:00-02:45 does not exist); counted once',
    );
    const other = checkCompleteness('eco2mix-national-tr', '2026-11-28T00:00:00Z', '2026-11-28T00:15:00Z', [
      row('2026-11-28T00:00:00+00:00', 'x'),
      row('2026-11-28T00:00:00+00:00', 'y'),
    ]);
    expect(other.duplicateWarning).toBe('1 duplicate row(s) at 2026-11-28T00:00:00Z; counted once');
  });

  it('checks the consolidated regional dataset at its half-hourly resolution', () => {
    const rows = ['00:00', '00:30'].flatMap((t) =>
      REGION_CODES.map((c) => row(`2025-01-10T${t}:00+00:00`, c)),
    );
    const c = checkCompleteness(
      'eco2mix-regional-cons-def',
      '2025-01-10T00:00:00Z',
      '2025-01-10T01:00:00Z',
      rows,
    );
    expect([c.expected, c.missingQuarterCount, c.incomplete]).toEqual([24, 0, []]);
    expect(expectedRows('eco2mix-regional-cons-def', Date.UTC(2025, 0, 10), Date.UTC(2025, 0, 11))).toBe(576);
  });
});
