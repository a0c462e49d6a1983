import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { startFakeOdre, type FakeOdre, type FakeOdreOptions } from '../../../../tools/standins/odre/server';

/** Response bodies are inspected loosely here. */
type Json = ReturnType<typeof JSON.parse>;

const NOW = '2026-03-31T12:00:00Z';
// A normal day: the clock-change days are covered in quirks.test.ts.
const DAY_WHERE = "date_heure >= date'2026-03-30T00:00:00Z' and date_heure < date'2026-03-31T00:00:00Z'";

let fake: FakeOdre;
const started: FakeOdre[] = [];

async function start(options: FakeOdreOptions = {}): Promise<FakeOdre> {
  const f = await startFakeOdre({ now: NOW, ...options });
  started.push(f);
  return f;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

function apiUrl(f: FakeOdre, path: string, params: Record<string, string> = {}): string {
  const u = new URL(`${f.url}/api/explore/v2.1/catalog/datasets/${path}`);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

async function get(
  f: FakeOdre,
  path: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => Json }> {
  const res = await fetch(apiUrl(f, path, params), { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (): Json => JSON.parse(text) };
}

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

describe('fake ODRE quota and auth', () => {
  it('answers 429 with the quota body once the daily limit is spent, and resets at UTC midnight', async () => {
    fake = await start({ dailyLimit: 2 });
    expect((await get(fake, 'eco2mix-national-tr/records')).status).toBe(200);
    expect((await get(fake, 'eco2mix-national-tr/records')).headers.get('x-ratelimit-remaining')).toBe('0');
    const res = await get(fake, 'eco2mix-national-tr/records');
    expect(res.status).toBe(429);
    expect(res.text).toBe(
      '{"errorcode":10002,"reset_time":"2026-04-01T00:00:00Z","limit_time_unit":"day","call_limit":2,"error":"Too many requests on the domain. Please contact the domain administrator."}',
    );
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-ratelimit-reset')).toBe('1775001600');
    expect(res.headers.get('retry-after')).toBeNull();
    expect(fake.quota()).toEqual({ limit: 2, used: 2, remaining: 0, day: '2026-03-31' });
    fake.setNow('2026-04-01T00:00:00Z');
    expect((await get(fake, 'eco2mix-national-tr/records')).status).toBe(200);
  });

  it('requires a valid Authorization header when configured and never logs its value', async () => {
    fake = await start({ requireAuth: { apiKey: 'k-123', bearerToken: 't-456' } });
    expect((await get(fake, 'eco2mix-national-tr/records')).status).toBe(401);
    expect(
      (await get(fake, 'eco2mix-national-tr/records', {}, { Authorization: 'Apikey wrong' })).status,
    ).toBe(401);
    expect(
      (await get(fake, 'eco2mix-national-tr/records', {}, { Authorization: 'Apikey k-123' })).status,
    ).toBe(200);
    expect(
      (await get(fake, 'eco2mix-national-tr/records', {}, { Authorization: 'Bearer t-456' })).status,
    ).toBe(200);
    expect((await get(fake, 'eco2mix-national-tr/records', { apikey: 'k-123' })).status).toBe(200);
    const log = fake.requests();
    expect(log.map((e) => [e.status, e.hasAuthorization])).toEqual([
      [401, false],
      [401, true],
      [200, true],
      [200, true],
      [200, false],
    ]);
    expect(log[4]!.query).toEqual({ apikey: 'REDACTED' });
    const text = JSON.stringify(log);
    for (const secret of ['k-123', 't-456', 'wrong']) expect(text).not.toContain(secret);
  });

  it('issues OAuth2 client-credentials tokens that the API then accepts until they expire', async () => {
    fake = await start({
      requireAuth: {},
      oauth: { clientId: 'cid', clientSecret: 'csecret', expiresInSeconds: 60 },
    });
    const basic = `Basic ${Buffer.from('cid:csecret').toString('base64')}`;
    const post = (authorization: string, body: string): Promise<Response> =>
      fetch(`${fake.url}/token/oauth/`, {
        method: 'POST',
        headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
    const bad = await post(
      `Basic ${Buffer.from('cid:nope').toString('base64')}`,
      'grant_type=client_credentials',
    );
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
    expect((await post(basic, 'grant_type=password')).status).toBe(400);
    const ok = await post(basic, 'grant_type=client_credentials');
    expect(ok.status).toBe(200);
    const token = (await ok.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(token).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 60 });
    const bearer = { Authorization: `Bearer ${token.access_token}` };
    expect((await get(fake, 'eco2mix-national-tr/records', {}, bearer)).status).toBe(200);
    fake.advance(61_000);
    expect((await get(fake, 'eco2mix-national-tr/records', {}, bearer)).status).toBe(401);
    expect(fake.requests().filter((e) => e.endpoint === 'token')).toHaveLength(3);
    expect(JSON.stringify(fake.requests())).not.toContain(token.access_token);
  });
});

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
