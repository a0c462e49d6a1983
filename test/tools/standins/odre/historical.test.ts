import { datasetSpec } from '../../../../shared/datasets';
import { get, rowsOf, start, stopAll, where, type Row } from './helpers';

afterAll(stopAll);

const NOW = '2026-09-27T12:00:00Z';
const RELEASE = '2026-07-01T00:00:00Z';

describe('ODRE stand-in historical datasets and the coverage request', () => {
  it('serves half-hourly consolidated regional rows, with natures and "ND"/"-" in old rows', async () => {
    const fake = await start({ now: NOW, releaseStart: RELEASE });
    const recent = await rowsOf(
      fake,
      'eco2mix-regional-cons-def',
      '2026-06-01T00:00:00Z',
      '2026-06-01T01:00:00Z',
    );
    expect(recent).toHaveLength(2 * 12);
    expect(new Set(recent.map((r: Row) => r.nature))).toEqual(new Set(['Données consolidées']));
    expect(Object.keys(recent[0] ?? {})).toEqual([...datasetSpec('eco2mix-regional-cons-def').fields]);
    expect(recent[0]).toMatchObject({ column_30: null, eolien_offshore: null });
    expect(recent[0]?.eolien_terrestre).toBe(recent[0]?.eolien);
    const old = await rowsOf(
      fake,
      'eco2mix-regional-cons-def',
      '2015-06-01T10:00:00Z',
      '2015-06-01T10:30:00Z',
    );
    const idf = old.find((r: Row) => r.code_insee_region === '11');
    expect(idf).toMatchObject({ nature: 'Données définitives', nucleaire: '-', stockage_batterie: 'ND' });
    expect(typeof idf?.consommation).toBe('number');
  });

  it('fills national consolidated measures only at :00 and :30, the forecast every quarter', async () => {
    const fake = await start({ now: NOW, releaseStart: RELEASE });
    const rows = await rowsOf(
      fake,
      'eco2mix-national-cons-def',
      '2026-06-01T10:00:00Z',
      '2026-06-01T11:00:00Z',
    );
    expect(rows.map((r: Row) => r.consommation === null)).toEqual([false, true, false, true]);
    expect(rows.every((r: Row) => typeof r.prevision_j1 === 'number')).toBe(true);
  });

  it('answers the coverage request per nature, as the Explore API aggregates', async () => {
    const fake = await start({ now: NOW, releaseStart: RELEASE });
    const select = 'nature, min(date_heure) as first, max(date_heure) as last';
    const consDef = await get(fake, 'eco2mix-regional-cons-def/records', { select, group_by: 'nature' });
    expect(consDef.json()).toEqual({
      total_count: 2,
      results: [
        {
          nature: 'Données définitives',
          first: '2012-12-31T23:00:00+00:00',
          last: '2024-12-31T22:30:00+00:00',
        },
        {
          nature: 'Données consolidées',
          first: '2024-12-31T23:00:00+00:00',
          last: '2026-06-30T21:30:00+00:00',
        },
      ],
    });
    const tr = await get(fake, 'eco2mix-regional-tr/records', {
      select,
      group_by: 'nature',
      where: "code_insee_region='84'",
    });
    expect(tr.json().results).toEqual([
      { nature: 'Données temps réel', first: '2026-06-30T22:00:00+00:00', last: '2026-09-27T21:45:00+00:00' },
    ]);
  });

  it('answers min(date_heure), count(*) and order_by=date_heure&limit=1 alike', async () => {
    const fake = await start({ now: NOW, releaseStart: RELEASE });
    const min = await get(fake, 'eco2mix-national-tr/records', { select: 'min(date_heure)' });
    expect(min.json()).toEqual({
      total_count: 1,
      results: [{ 'min(date_heure)': '2026-06-30T22:00:00+00:00' }],
    });
    const first = await get(fake, 'eco2mix-national-tr/records', {
      order_by: 'date_heure',
      limit: '1',
      select: 'date_heure',
    });
    expect(first.json().results).toEqual([{ date_heure: '2026-06-30T22:00:00+00:00' }]);
    const count = await get(fake, 'eco2mix-regional-tr/records', {
      select: 'count(*) as n',
      where: where('2026-09-01T00:00:00Z', '2026-09-02T00:00:00Z'),
    });
    expect(count.json().results).toEqual([{ n: 1152 }]);
    const empty = await get(fake, 'eco2mix-national-tr/records', {
      select: 'min(date_heure) as first',
      where: where('2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z'),
    });
    expect(empty.json().results).toEqual([{ first: null }]);
    const bad = await get(fake, 'eco2mix-national-tr/records', { select: 'avg(consommation)' });
    expect(bad.status).toBe(400);
    expect(bad.json().error_code).toBe('ODSQLError');
  });
});
