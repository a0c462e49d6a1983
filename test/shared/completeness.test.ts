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
      missingQuarterCount: 3,
      missingQuarters: ['2026-11-28T00:15:00Z', '2026-11-28T00:30:00Z', '2026-11-28T00:45:00Z'],
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
});
