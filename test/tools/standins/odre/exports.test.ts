import { createHash } from 'node:crypto';
import { get, start as startAt, stopAll } from './helpers';
import type { FakeOdre, FakeOdreOptions } from '../../../../tools/standins/odre/server';

const NOW = '2026-03-31T12:00:00Z';
// A normal day: the clock-change days are covered in clockChanges.test.ts.
const DAY_WHERE = "date_heure >= date'2026-03-30T00:00:00Z' and date_heure < date'2026-03-31T00:00:00Z'";

let fake: FakeOdre;
const start = (options: FakeOdreOptions = {}): Promise<FakeOdre> => startAt({ now: NOW, ...options });

afterEach(stopAll);

describe('fake ODRE exports endpoint', () => {
  beforeEach(async () => {
    fake = await start();
  });

  it('streams a bare JSON array with no row cap, logging bytes and hash', async () => {
    const res = await get(fake, 'eco2mix-regional-tr/exports/json', {
      where: DAY_WHERE,
      order_by: 'date_heure',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const rows = res.json();
    expect(rows).toHaveLength(1152);
    const [entry] = fake.requests();
    expect(entry).toMatchObject({ endpoint: 'exports', dataset: 'eco2mix-regional-tr', status: 200 });
    expect(entry!.bytes).toBe(Buffer.byteLength(res.text));
    expect(entry!.sha256).toBe(createHash('sha256').update(res.text).digest('hex'));
  });

  it('serves jsonl and honours limit', async () => {
    const res = await get(fake, 'eco2mix-national-tr/exports/jsonl', { where: DAY_WHERE, limit: '5' });
    const lines = res.text.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('');
    expect(JSON.parse(lines[4]!).heure).toBe('03:00');
    expect((await get(fake, 'eco2mix-national-tr/exports/csv')).status).toBe(400);
  });

  it('returns [] for a window outside the data and honours gaps', async () => {
    const future = await get(fake, 'eco2mix-regional-tr/exports/json', {
      where: "date_heure >= date'2026-06-01T00:00:00Z'",
    });
    expect(future.text).toBe('[]');
    fake.setGaps([{ from: '2026-03-30T10:00:00Z', to: '2026-03-30T12:00:00Z', regions: ['11', '24'] }]);
    const gapped = await get(fake, 'eco2mix-regional-tr/exports/json', { where: DAY_WHERE });
    expect(gapped.json()).toHaveLength(1152 - 16);
  });

  it('follows the server clock for availability', async () => {
    fake.setNow('2026-03-30T12:00:00Z');
    expect((await get(fake, 'eco2mix-regional-tr/exports/json', { where: DAY_WHERE })).json()).toHaveLength(
      88 * 12,
    );
    fake.advance(25 * 3600_000);
    expect((await get(fake, 'eco2mix-regional-tr/exports/json', { where: DAY_WHERE })).json()).toHaveLength(
      1152,
    );
    expect(fake.now().toISOString()).toBe('2026-03-31T13:00:00.000Z');
    fake.setNow(null);
    expect(fake.now().toISOString()).toBe('2026-03-31T12:00:00.000Z');
  });
});
