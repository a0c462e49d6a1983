import * as http from 'node:http';
import { apiUrl, get, start as startAt, stopAll, type Json } from './helpers';
import type { FakeOdre, FakeOdreOptions } from '../../../../tools/standins/odre/server';

const NOW = '2026-03-31T12:00:00Z';
// A normal day: the clock-change days are covered in clockChanges.test.ts.
const DAY_WHERE = "date_heure >= date'2026-03-30T00:00:00Z' and date_heure < date'2026-03-31T00:00:00Z'";

let fake: FakeOdre;
const start = (options: FakeOdreOptions = {}): Promise<FakeOdre> => startAt({ now: NOW, ...options });

afterEach(stopAll);

describe('fake ODRE faults', () => {
  beforeEach(async () => {
    fake = await start();
  });

  it('injects status faults with realistic bodies, then recovers', async () => {
    fake.addFault([
      { kind: 503, times: 1 },
      { kind: 429, retryAfter: 7 },
      { kind: 502, dataset: 'eco2mix-national-tr' },
      { kind: 500 },
    ]);
    const a = await get(fake, 'eco2mix-regional-tr/exports/json', { where: DAY_WHERE });
    expect(a.status).toBe(503);
    expect(a.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(a.text).toContain('503 Service Temporarily Unavailable');
    const b = await get(fake, 'eco2mix-regional-tr/exports/json', { where: DAY_WHERE });
    expect(b.status).toBe(429);
    expect(b.headers.get('retry-after')).toBe('7');
    expect(b.json().errorcode).toBe(10002);
    const c = await get(fake, 'eco2mix-regional-tr/records');
    expect(c.status).toBe(500);
    expect(c.json().error_code).toBe('InternalServerError');
    const d = await get(fake, 'eco2mix-national-tr/records');
    expect(d.status).toBe(502);
    expect((await get(fake, 'eco2mix-national-tr/records')).status).toBe(200);
    expect(fake.requests().map((e) => e.fault)).toEqual(['503', '429', '500', '502', null]);
  });

  it('injects body faults: truncate, malformed, html, empty', async () => {
    fake.addFault([{ kind: 'truncate' }, { kind: 'malformed' }, { kind: 'html' }, { kind: 'empty' }]);
    const params = { where: DAY_WHERE, limit: '2' };
    const truncated = await get(fake, 'eco2mix-national-tr/exports/json', params);
    expect(truncated.status).toBe(200);
    const malformed = await get(fake, 'eco2mix-national-tr/exports/json', params);
    expect(malformed.status).toBe(200);
    expect(() => void malformed.json()).toThrow(SyntaxError);
    const html = await get(fake, 'eco2mix-national-tr/exports/json', params);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.text).toContain('maintenance');
    expect((await get(fake, 'eco2mix-national-tr/exports/json', params)).text).toBe('[]');
    const normal = await get(fake, 'eco2mix-national-tr/exports/json', params);
    expect(normal.json()).toHaveLength(2);
    expect(truncated.text).toBe(normal.text.slice(0, Math.floor(normal.text.length / 2)));
    expect(fake.requests().map((e) => e.fault)).toEqual(['truncate', 'malformed', 'html', 'empty', null]);
  });

  it('drops the connection before any response', async () => {
    fake.failNext(1, 'drop');
    await expect(fetch(apiUrl(fake, 'eco2mix-national-tr/records'))).rejects.toThrow();
    expect(fake.requests()[0]).toMatchObject({ status: 'dropped', fault: 'drop' });
  });

  it('hangs on timeout until the client gives up, and close() ends hanging sockets', async () => {
    fake.addFault({ kind: 'timeout', times: 'forever' });
    const gaveUp = fetch(apiUrl(fake, 'eco2mix-national-tr/records'), { signal: AbortSignal.timeout(200) });
    await expect(gaveUp).rejects.toThrow();
    const hanging = new Promise<string>((resolve) => {
      http
        .get(apiUrl(fake, 'eco2mix-national-tr/records'), () => resolve('answered'))
        .on('error', (e) => resolve(e.message));
    });
    while (fake.inFlight() < 1 || fake.requests().length < 2) await new Promise((r) => setTimeout(r, 5));
    await fake.close();
    expect(await hanging).toBe('socket hang up');
    expect(fake.requests().map((e) => e.status)).toEqual(['timeout', 'timeout']);
    expect(fake.inFlight()).toBe(0);
  });

  it('fails everything until cleared, and until an instant of the server clock', async () => {
    fake.failUntilCleared(504);
    for (let i = 0; i < 3; i++) expect((await get(fake, 'eco2mix-national-tr/records')).status).toBe(504);
    expect(fake.faults()).toEqual([{ kind: 504, times: 'forever' }]);
    fake.clearFaults();
    expect(fake.faults()).toEqual([]);
    expect((await get(fake, 'eco2mix-national-tr/records')).status).toBe(200);
    fake.addFault({ kind: 503, until: '2026-03-31T15:00:00Z' });
    expect((await get(fake, 'eco2mix-national-tr/records')).status).toBe(503);
    fake.setNow('2026-03-31T15:00:00Z');
    expect((await get(fake, 'eco2mix-national-tr/records')).status).toBe(200);
  });

  it('is driven over HTTP through /__control', async () => {
    const post = async (path: string, body: unknown): Promise<{ status: number; body: Json }> => {
      const res = await fetch(`${fake.url}/__control/${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    expect(await post('faults', { kind: '401', times: 2, endpoint: 'exports' })).toEqual({
      status: 200,
      body: { faults: [{ kind: 401, times: 2, endpoint: 'exports' }] },
    });
    expect((await post('faults', { kind: 'explode' })).status).toBe(400);
    expect((await post('faults', { kind: 503, times: 0 })).status).toBe(400);
    expect((await get(fake, 'eco2mix-national-tr/records')).status).toBe(200);
    expect((await get(fake, 'eco2mix-national-tr/exports/json')).status).toBe(401);
    await fetch(`${fake.url}/__control/faults`, { method: 'DELETE' });
    expect((await get(fake, 'eco2mix-national-tr/exports/json', { limit: '1' })).status).toBe(200);
    expect((await post('now', { now: '2026-01-01T00:00:00Z' })).body).toEqual({
      now: '2026-01-01T00:00:00.000Z',
    });
    expect((await post('latency', { ms: 0 })).body).toEqual({ latencyMs: 0 });
    expect((await post('gaps', [{ from: '2025-12-31T00:00:00Z' }])).status).toBe(200);
    const log = (await (await fetch(`${fake.url}/__control/requests`)).json()) as { requests: unknown[] };
    expect(log.requests).toHaveLength(3);
    await fetch(`${fake.url}/__control/requests`, { method: 'DELETE' });
    expect(fake.requests()).toEqual([]);
  });

  it('records concurrency with latency', async () => {
    fake.setLatency(300);
    await Promise.all(Array.from({ length: 4 }, () => get(fake, 'eco2mix-national-tr/records')));
    expect(fake.peakConcurrency()).toBe(4);
    expect(fake.inFlight()).toBe(0);
    fake.resetLog();
    expect(fake.peakConcurrency()).toBe(0);
  });
});
