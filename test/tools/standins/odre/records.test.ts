import { get, start as startAt, stopAll } from './helpers';
import type { FakeOdre, FakeOdreOptions } from '../../../../tools/standins/odre/server';

const NOW = '2026-03-31T12:00:00Z';
// A normal day: the clock-change days are covered in clockChanges.test.ts.
const DAY_WHERE = "date_heure >= date'2026-03-30T00:00:00Z' and date_heure < date'2026-03-31T00:00:00Z'";

let fake: FakeOdre;
const start = (options: FakeOdreOptions = {}): Promise<FakeOdre> => startAt({ now: NOW, ...options });

afterEach(stopAll);

describe('fake ODRE records endpoint', () => {
  beforeEach(async () => {
    fake = await start();
  });

  it('returns 10 records by default, with total_count', async () => {
    const res = await get(fake, 'eco2mix-regional-tr/records', { where: DAY_WHERE });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.total_count).toBe(1152);
    expect(body.results).toHaveLength(10);
    expect(body.results[0]).toMatchObject({
      code_insee_region: '11',
      date_heure: '2026-03-30T00:00:00+00:00',
    });
  });

  it('rejects limit 200 with the portal body', async () => {
    const res = await get(fake, 'eco2mix-regional-tr/records', { limit: '200' });
    expect(res.status).toBe(400);
    expect(res.text).toBe(
      '{"error_code":"InvalidRESTParameterError","message":"Invalid value for limit API parameter: 200 was found but -1 <= limit <= 100 is expected."}',
    );
  });

  it('rejects offset + limit over 10000 but accepts exactly 10000', async () => {
    const over = await get(fake, 'eco2mix-regional-tr/records', { limit: '100', offset: '9901' });
    expect(over.status).toBe(400);
    expect(over.json().error_code).toBe('InvalidRESTParameterError');
    expect(over.json().message).toMatch(/offset \+ limit/);
    const edge = await get(fake, 'eco2mix-regional-tr/records', {
      limit: '100',
      offset: '9900',
      select: 'date_heure',
    });
    expect(edge.status).toBe(200);
    expect(edge.json().results).toHaveLength(100);
    expect((await get(fake, 'eco2mix-regional-tr/records', { offset: '-1' })).status).toBe(400);
    expect((await get(fake, 'eco2mix-regional-tr/records', { limit: 'ten' })).status).toBe(400);
  });

  it('pages with offset, filters text fields, selects and orders descending', async () => {
    const res = await get(fake, 'eco2mix-regional-tr/records', {
      where: `${DAY_WHERE} and code_insee_region = '53'`,
      select: 'date_heure,libelle_region,heure',
      order_by: 'date_heure desc',
      limit: '3',
      offset: '1',
    });
    expect(res.json()).toEqual({
      total_count: 96,
      results: [
        { date_heure: '2026-03-30T23:30:00+00:00', libelle_region: 'Bretagne', heure: '01:30' },
        { date_heure: '2026-03-30T23:15:00+00:00', libelle_region: 'Bretagne', heure: '01:15' },
        { date_heure: '2026-03-30T23:00:00+00:00', libelle_region: 'Bretagne', heure: '01:00' },
      ],
    });
    const onMeasure = await get(fake, 'eco2mix-regional-tr/records', {
      where: `${DAY_WHERE} and pompage = '0'`,
      limit: '0',
    });
    expect(onMeasure.status).toBe(200);
    expect(onMeasure.json().total_count).toBeGreaterThan(0);
  });

  it('renders date_heure in the requested timezone', async () => {
    const res = await get(fake, 'eco2mix-national-tr/records', {
      where: "date_heure = date'2026-03-29T10:00:00Z'",
      timezone: 'Europe/Paris',
      select: 'date_heure,heure',
    });
    expect(res.json().results).toEqual([{ date_heure: '2026-03-29T12:00:00+02:00', heure: '12:00' }]);
    const bad = await get(fake, 'eco2mix-national-tr/records', { timezone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.json().error_code).toBe('InvalidRESTParameterError');
  });

  it('answers a malformed where with ODSQLError, including ordered comparisons on date', async () => {
    const res = await get(fake, 'eco2mix-regional-tr/records', { where: "date >= '2026-03-29'" });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      message:
        'ODSQL query is malformed: ordered comparison \'>=\' at position 5 is not allowed on text field "date"',
      error_code: 'ODSQLError',
    });
    expect(
      (await get(fake, 'eco2mix-regional-tr/exports/json', { where: 'date_heure >> 1' })).json().error_code,
    ).toBe('ODSQLError');
    expect(
      (await get(fake, 'eco2mix-regional-tr/records', { order_by: 'consommation' })).json().error_code,
    ).toBe('ODSQLError');
  });

  it('answers an unknown dataset or route with 404 JSON', async () => {
    const res = await get(fake, 'eco2mix-nope/exports/json');
    expect(res.status).toBe(404);
    expect(res.json().error_code).toBe('NotFoundError');
    const other = await fetch(`${fake.url}/api/unknown`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error_code: string }).error_code).toBe('NotFound');
  });

  it('sends quota headers resetting at the next UTC midnight', async () => {
    const res = await get(fake, 'eco2mix-national-tr/records');
    expect(res.headers.get('x-ratelimit-limit')).toBe('10000');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('9999');
    expect(res.headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2026-04-01T00:00:00Z') / 1000));
  });
});
