import { generateRows } from '../../../../tools/standins/odre/data';
import national from './fixtures/national-tr-record.json';
import regional from './fixtures/regional-tr-record.json';

/** The real records of facts.md section 2: the stand-in serves the same fields with the same JSON types. */
describe('ODRE stand-in rows against real records', () => {
  const typeOf = (v: unknown): string => (v === null ? 'null' : typeof v);

  it.each([
    ['eco2mix-regional-tr', regional, { code_insee_region: '32' }],
    ['eco2mix-national-tr', national, {}],
  ] as const)('%s has the fields and types of the real record', (dataset, real, key) => {
    const t = Date.parse(real.date_heure);
    const rows = [...generateRows(dataset, t, t + 1, { now: t + 86_400_000, dataStart: t - 86_400_000 })];
    const row = rows.find((r) => Object.entries(key).every(([k, v]) => r[k] === v));
    expect(row).toBeDefined();
    for (const [field, value] of Object.entries(real)) {
      expect([field, typeOf(row![field])]).toEqual([field, typeOf(value)]);
    }
    for (const field of [
      'code_insee_region',
      'perimetre',
      'nature',
      'date',
      'heure',
      'date_heure',
      'libelle_region',
    ]) {
      if (field in real) expect(row![field]).toBe((real as Record<string, unknown>)[field]);
    }
  });
});
