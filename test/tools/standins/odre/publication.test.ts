import { controlPost, get, rowsOf, start, stopAll, where, type Row } from './helpers';

afterAll(stopAll);

const HOUR = 3_600_000;
const at = (iso: string): number => Date.parse(iso);

describe('ODRE stand-in publication in virtual time (facts.md section 6)', () => {
  it('holds real-time data only since the release start, a 1st of a month, and [] before', async () => {
    const fake = await start({ now: '2026-09-27T12:00:00Z', releaseStart: '2026-07-15T00:00:00Z' });
    const before = await get(fake, 'eco2mix-national-tr/exports/json', {
      where: where('2026-06-01T00:00:00Z', '2026-06-30T00:00:00Z'),
    });
    expect(before.text).toBe('[]');
    const edge = await rowsOf(fake, 'eco2mix-national-tr', '2026-06-30T21:00:00Z', '2026-06-30T23:00:00Z');
    expect(edge.map((r: Row) => r.date_heure)[0]).toBe('2026-06-30T22:00:00+00:00');
    expect(edge).toHaveLength(4);
    const older = await rowsOf(
      fake,
      'eco2mix-national-cons-def',
      '2026-06-30T21:00:00Z',
      '2026-06-30T23:00:00Z',
    );
    expect(older.map((r: Row) => r.date_heure)).toEqual([
      '2026-06-30T21:00:00+00:00',
      '2026-06-30T21:15:00+00:00',
      '2026-06-30T21:30:00+00:00',
      '2026-06-30T21:45:00+00:00',
    ]);
    await controlPost(fake, 'release', { releaseStart: '2026-08-01T00:00:00Z' });
    expect(await rowsOf(fake, 'eco2mix-national-tr', '2026-07-01T00:00:00Z', '2026-07-31T00:00:00Z')).toEqual(
      [],
    );
    fake.setReleaseStart(null);
    expect(
      await rowsOf(fake, 'eco2mix-national-tr', '2026-07-01T00:00:00Z', '2026-07-01T01:00:00Z'),
    ).toHaveLength(4);
  });

  it('keeps values null until now - lag, the lag settable while running', async () => {
    const fake = await start({ now: '2026-11-20T12:00:00Z', publishDelayMs: 0 });
    const window = ['2026-11-20T08:00:00Z', '2026-11-20T12:00:00Z'] as const;
    const published = (rows: Row[]): number => rows.filter((r: Row) => r.consommation !== null).length;
    expect(published(await rowsOf(fake, 'eco2mix-national-tr', ...window))).toBe(16);
    fake.setLag(2 * HOUR);
    expect(published(await rowsOf(fake, 'eco2mix-national-tr', ...window))).toBe(8);
    expect(await controlPost(fake, 'lag', { ms: 3 * HOUR })).toEqual({ lagMs: 3 * HOUR });
    const rows = await rowsOf(fake, 'eco2mix-regional-tr', ...window);
    expect(rows).toHaveLength(16 * 12);
    expect(published(rows)).toBe(4 * 12);
  });

  it('stalls the feed for a period of virtual time, then catches up', async () => {
    let now = at('2026-11-20T10:00:00Z');
    const fake = await start({
      now: () => now,
      publishDelayMs: 0,
      stalls: [{ from: '2026-11-20T10:00:00Z', to: '2026-11-20T16:00:00Z' }],
    });
    const nulls = async (): Promise<number> =>
      (await rowsOf(fake, 'eco2mix-national-tr', '2026-11-20T09:00:00Z', '2026-11-20T16:00:00Z')).filter(
        (r: Row) => r.consommation === null,
      ).length;
    now = at('2026-11-20T15:00:00Z');
    expect(await nulls()).toBe(7 * 4 - 4);
    now = at('2026-11-20T16:00:00Z');
    expect(await nulls()).toBe(0);
  });

  it('injects an outage and a permanent hole in virtual time', async () => {
    let now = at('2026-11-20T00:00:00Z');
    const fake = await start({
      now: () => now,
      faults: [{ kind: 503, from: '2026-11-20T06:00:00Z', until: '2026-11-20T12:00:00Z' }],
      gaps: [{ dataset: 'eco2mix-regional-tr', from: '2026-11-19T10:15:00Z', regions: ['44'] }],
    });
    const day = where('2026-11-19T00:00:00Z', '2026-11-20T00:00:00Z');
    const status = async (): Promise<number> =>
      (await get(fake, 'eco2mix-regional-tr/exports/json', { where: day })).status;
    expect(await status()).toBe(200);
    now = at('2026-11-20T06:00:00Z');
    expect([await status(), await status()]).toEqual([503, 503]);
    now = at('2026-11-20T12:00:00Z');
    const res = await get(fake, 'eco2mix-regional-tr/exports/json', { where: day });
    expect(res.status).toBe(200);
    const rows = res.json() as Row[];
    expect(rows).toHaveLength(1152 - 1);
    expect(
      rows.some((r: Row) => r.code_insee_region === '44' && r.date_heure === '2026-11-19T10:15:00+00:00'),
    ).toBe(false);
  });

  it('sends exports in an order that is not the dates, the same bytes each time, even with order_by', async () => {
    const fake = await start({ now: '2026-11-27T12:00:00Z', quirks: { unorderedExports: true } });
    const params = { where: where('2026-11-20T00:00:00Z', '2026-11-23T00:00:00Z'), order_by: 'date_heure' };
    const a = await get(fake, 'eco2mix-national-tr/exports/json', params);
    const b = await get(fake, 'eco2mix-national-tr/exports/json', params);
    expect(a.text).toBe(b.text);
    const stamps = (a.json() as Row[]).map((r: Row) => String(r.date_heure));
    expect(stamps).toHaveLength(3 * 96);
    expect(stamps).not.toEqual([...stamps].sort());
    expect(new Set(stamps).size).toBe(3 * 96);
    const records = await get(fake, 'eco2mix-national-tr/records', {
      ...params,
      limit: '3',
      select: 'heure',
    });
    expect(records.json().results).toEqual([{ heure: '01:00' }, { heure: '01:15' }, { heure: '01:30' }]);
  });
});
