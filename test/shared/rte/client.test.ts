import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AxiosInstance } from 'axios';
import { TRANSPORT_RETRIES, type DatasetId } from '../../../shared/constants';
import { decodeFailure, RetryableError } from '../../../shared/errors';
import { fetchWindow, RteRetryableError, type FetchWindowResult } from '../../../shared/rte/client';
import { buildExportRequest, sourceUrl } from '../../../shared/rte/request';
import { parseRetryAfter } from '../../../shared/rte/response';
import { createRteHttp, totalRequests } from '../../../shared/rte/http';
import { startFakeOdre, type FakeOdre, type FakeOdreOptions } from '../../../tools/standins/odre/server';

const NOW = '2026-03-31T12:00:00Z';
const DAY = { from: '2026-03-29T00:00:00Z', to: '2026-03-30T00:00:00Z' };
const REGIONAL: DatasetId = 'eco2mix-regional-tr';
const NATIONAL: DatasetId = 'eco2mix-national-tr';
const SECRET = 'Bearer tok-s3cr3t-value-xyz';

let fake: FakeOdre;
let client: AxiosInstance;

async function setup(options: FakeOdreOptions = {}, timeoutMs = 5000): Promise<void> {
  // DAY is the spring clock change: these tests predate the stand-in's ghost rows (issue 11).
  fake = await startFakeOdre({ now: NOW, quirks: { springGhostRows: false }, ...options });
  client = createRteHttp({ baseUrl: fake.url, timeoutMs, transportRetries: TRANSPORT_RETRIES });
}

afterEach(async () => {
  await fake?.close();
});

function fetchDay(
  dataset: DatasetId = REGIONAL,
  auth: string | null = null,
  window: { from: string; to: string } = DAY,
): Promise<FetchWindowResult> {
  return fetchWindow({ http: client, getAuthorization: () => Promise.resolve(auth) }, { dataset, ...window });
}

async function thrown(p: Promise<unknown>): Promise<RteRetryableError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RetryableError);
    expect(e).toBeInstanceOf(RteRetryableError);
    return e as RteRetryableError;
  }
  throw new Error('expected a RetryableError');
}

function expectNoSecret(err: unknown): void {
  const e = err as Error & Record<string, unknown>;
  for (const text of [e.message, String(e.stack), JSON.stringify(e), JSON.stringify(Object.entries(e))]) {
    expect(text).not.toContain('s3cr3t');
  }
  expect(Object.keys(e).sort()).toEqual(['failure', 'name', 'requests']);
  expect(e.cause).toBeUndefined();
}

describe('buildExportRequest and sourceUrl', () => {
  it('builds the exports request for a UTC window', () => {
    expect(buildExportRequest(REGIONAL, '2026-11-28T05:00:00+01:00', '2026-11-28T06:00:00.000Z')).toEqual({
      path: '/api/explore/v2.1/catalog/datasets/eco2mix-regional-tr/exports/json',
      params: {
        where: "date_heure >= date'2026-11-28T04:00:00Z' and date_heure < date'2026-11-28T06:00:00Z'",
        order_by: 'date_heure',
        timezone: 'UTC',
      },
    });
  });

  it('gives the full URL without credentials', () => {
    expect(
      sourceUrl(
        'https://user:pw@odre.opendatasoft.com/',
        NATIONAL,
        '2026-11-28T04:00:00Z',
        '2026-11-28T06:00:00Z',
      ),
    ).toBe(
      'https://odre.opendatasoft.com/api/explore/v2.1/catalog/datasets/eco2mix-national-tr/exports/json' +
        '?where=date_heure+%3E%3D+date%272026-11-28T04%3A00%3A00Z%27+and+date_heure+%3C+date%272026-11-28T06%3A00%3A00Z%27' +
        '&order_by=date_heure&timezone=UTC',
    );
  });

  it('refuses a window that is not a pair of instants, without a request', async () => {
    await setup();
    expect(await fetchDay(REGIONAL, null, { from: 'yesterday', to: DAY.to })).toMatchObject({
      ok: false,
      failure: { code: 'INVALID_WINDOW', retryable: false },
      requests: 0,
    });
    expect(await fetchDay(REGIONAL, null, { from: DAY.to, to: DAY.from })).toMatchObject({
      ok: false,
      failure: { code: 'INVALID_WINDOW' },
      requests: 0,
    });
    expect(fake.requests()).toHaveLength(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP-dates', () => {
    const now = Date.parse('2026-03-31T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(3, now)).toBe(3000);
    expect(parseRetryAfter('Tue, 31 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('fetchWindow against the ODRE stand-in', () => {
  it('lands a regional day: 1152 rows, exact bytes, one request, the right query', async () => {
    await setup();
    const res = await fetchDay();
    if (!res.ok) throw new Error(res.failure.message);
    expect(res.rows).toHaveLength(1152);
    expect(res.status).toBe(200);
    expect(res.requests).toBe(1);
    expect(res.rateLimitRemaining).toBe(9999);
    expect(res.url).toBe(sourceUrl(fake.url, REGIONAL, DAY.from, DAY.to));
    const [entry] = fake.requests();
    expect(entry).toMatchObject({
      method: 'GET',
      endpoint: 'exports',
      dataset: REGIONAL,
      hasAuthorization: false,
      status: 200,
      query: {
        where: "date_heure >= date'2026-03-29T00:00:00Z' and date_heure < date'2026-03-30T00:00:00Z'",
        order_by: 'date_heure',
        timezone: 'UTC',
      },
    });
    expect(res.body.length).toBe(entry!.bytes);
    expect(createHash('sha256').update(res.body).digest('hex')).toBe(entry!.sha256);
    expect(JSON.parse(res.body.toString('utf8'))).toEqual(res.rows);
  });

  it('keeps DST days at 96 UTC quarters per region with Paris heure', async () => {
    await setup();
    const res = await fetchDay();
    if (!res.ok) throw new Error('expected rows');
    const brittany = res.rows.filter((r) => r.code_insee_region === '53');
    expect(brittany).toHaveLength(96);
    expect(brittany.slice(3, 6).map((r) => [r.date_heure, r.heure])).toEqual([
      ['2026-03-29T00:45:00+00:00', '01:45'],
      ['2026-03-29T01:00:00+00:00', '03:00'],
      ['2026-03-29T01:15:00+00:00', '03:15'],
    ]);
  });

  it('lands a national day: 96 rows', async () => {
    await setup();
    const res = await fetchDay(NATIONAL);
    expect(res.ok && res.rows.length).toBe(96);
  });

  it('sends the Authorization header only when there is one, never the apikey parameter', async () => {
    await setup({ requireAuth: { bearerToken: 'tok-s3cr3t-value-xyz' } });
    const res = await fetchDay(NATIONAL, SECRET);
    expect(res.ok).toBe(true);
    const anonymous = await fetchDay(NATIONAL, null);
    expect(anonymous).toMatchObject({ ok: false, failure: { code: 'RTE_HTTP_401', httpStatus: 401 } });
    expect(fake.requests().map((e) => e.hasAuthorization)).toEqual([true, false]);
    expect(fake.requests().every((e) => !('apikey' in e.query))).toBe(true);
  });

  it('retries a dropped connection within the attempt: 2 requests', async () => {
    await setup();
    fake.failNext(1, 'drop');
    const res = await fetchDay(NATIONAL);
    expect(res).toMatchObject({ ok: true, requests: 2 });
    expect(fake.requests().map((e) => e.status)).toEqual(['dropped', 200]);
  });

  it('gives up after TRANSPORT_RETRIES dropped connections with RTE_NETWORK', async () => {
    await setup();
    fake.failUntilCleared('drop');
    const err = await thrown(fetchDay(NATIONAL, SECRET));
    expect(err.failure).toMatchObject({ code: 'RTE_NETWORK', httpStatus: null, retryable: true });
    expect(err.failure.message).toContain('ECONNRESET');
    expect(err.requests).toBe(1 + TRANSPORT_RETRIES);
    expect(fake.requests()).toHaveLength(3);
    expectNoSecret(err);
  });

  it('retries a refused connection, then reports RTE_NETWORK', async () => {
    await setup();
    await fake.close();
    const err = await thrown(fetchDay(NATIONAL, SECRET));
    expect(err.failure.code).toBe('RTE_NETWORK');
    expect(err.failure.message).toContain('ECONNREFUSED');
    expect(err.requests).toBe(3);
    expectNoSecret(err);
  });

  it('throws RTE_HTTP_503 after one request: no transport retry on a status', async () => {
    await setup();
    fake.failNext(1, 503);
    const err = await thrown(fetchDay(REGIONAL, SECRET));
    expect(err.failure).toMatchObject({ code: 'RTE_HTTP_503', httpStatus: 503, retryable: true });
    expect(err.failure.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/.* -> 503: <html>/);
    expect(err.requests).toBe(1);
    expect(fake.requests()).toHaveLength(1);
    expectNoSecret(err);
    expect(decodeFailure(err.message)).toMatchObject({
      code: 'RTE_HTTP_503',
      httpStatus: 503,
      retryable: true,
    });
  });

  it.each([500, 502, 504, 418])('throws RTE_HTTP_%i', async (status) => {
    await setup();
    fake.failNext(1, status);
    const err = await thrown(fetchDay());
    expect(err.failure).toMatchObject({ code: `RTE_HTTP_${status}`, httpStatus: status, retryable: true });
    expect(fake.requests()).toHaveLength(1);
  });

  it.each([400, 401, 403, 404])('returns ok:false RTE_HTTP_%i without retrying', async (status) => {
    await setup();
    fake.failNext(1, status);
    const res = await fetchDay(REGIONAL, SECRET);
    expect(res).toMatchObject({
      ok: false,
      failure: { code: `RTE_HTTP_${status}`, httpStatus: status, retryable: false },
      requests: 1,
    });
    if (res.ok) throw new Error('unreachable');
    expect(res.url).toBe(sourceUrl(fake.url, REGIONAL, DAY.from, DAY.to));
    expect(res.failure.message).toContain(` -> ${status}: {`);
    expect(res.failure.message.length).toBeLessThanOrEqual(601);
    expect(JSON.stringify(res)).not.toContain('s3cr3t');
    expect(fake.requests()).toHaveLength(1);
  });

  it('returns RTE_HTTP_401 for a wrong key, without the key in the result', async () => {
    await setup({ requireAuth: { apiKey: 'right-key' } });
    const res = await fetchDay(NATIONAL, 'Apikey s3cr3t-wrong');
    expect(res).toMatchObject({
      ok: false,
      failure: { code: 'RTE_HTTP_401', retryable: false },
      requests: 1,
    });
    expect(JSON.stringify(res)).not.toContain('s3cr3t');
  });

  it('reports a real unknown dataset as RTE_HTTP_404', async () => {
    await setup();
    const res = await fetchDay('eco2mix-missing' as DatasetId);
    expect(res).toMatchObject({ ok: false, failure: { code: 'RTE_HTTP_404', httpStatus: 404 } });
  });

  it('defers (never retries) a 429 whose body carries reset_time; Retry-After still read on others', async () => {
    await setup();
    fake.addFault({ kind: 429, retryAfter: 7 });
    const res = await fetchDay();
    expect(res).toMatchObject({
      ok: false,
      requests: 1,
      failure: { code: 'RTE_QUOTA_EXHAUSTED', httpStatus: 429, retryable: false },
    });
    expect(!res.ok && res.failure.message).toContain('"errorcode":10002');
    expect(!res.ok && Number.isFinite(Date.parse(res.failure.deferredUntil ?? ''))).toBe(true);
    fake.addFault({ kind: 503, retryAfter: 2 });
    expect((await thrown(fetchDay())).failure).toMatchObject({ code: 'RTE_HTTP_503', retryAfterMs: 2000 });
    fake.addFault({ kind: 503, retryAfter: new Date(Date.now() + 3_600_000).toUTCString() });
    const dated = await thrown(fetchDay());
    expect(dated.failure.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(dated.failure.retryAfterMs).toBeLessThanOrEqual(3_600_000);
  });

  it('defers until reset_time when the daily quota is spent', async () => {
    await setup({ dailyLimit: 1 });
    const first = await fetchDay(NATIONAL);
    expect(first.ok && first.rateLimitRemaining).toBe(0);
    const res = await fetchDay(NATIONAL);
    expect(res).toMatchObject({
      ok: false,
      failure: { code: 'RTE_QUOTA_EXHAUSTED', retryable: false, deferredUntil: '2026-04-01T00:00:00Z' },
    });
  });

  it('throws RTE_TIMEOUT after one request when the portal does not answer', async () => {
    await setup({}, 300);
    fake.addFault({ kind: 'timeout', times: 'forever' });
    const err = await thrown(fetchDay(NATIONAL, SECRET));
    expect(err.failure).toMatchObject({ code: 'RTE_TIMEOUT', httpStatus: null, retryable: true });
    expect(err.failure.message).toContain('timed out after 300 ms');
    expect(err.requests).toBe(1);
    expectNoSecret(err);
    await fake.close();
    expect(fake.requests().map((e) => e.status)).toEqual(['timeout']);
  });

  it.each([
    ['html', /an HTML page/],
    ['truncate', /invalid JSON/],
    ['malformed', /invalid JSON/],
  ] as const)('throws RTE_BAD_BODY for a %s 200 body', async (kind, message) => {
    await setup();
    fake.addFault({ kind });
    const err = await thrown(fetchDay(NATIONAL, SECRET));
    expect(err.failure).toMatchObject({ code: 'RTE_BAD_BODY', httpStatus: 200, retryable: true });
    expect(err.failure.message).toMatch(message);
    expect(err.requests).toBe(1);
    expectNoSecret(err);
  });

  it('returns EMPTY_RESPONSE for an empty array', async () => {
    await setup();
    fake.addFault({ kind: 'empty' });
    expect(await fetchDay()).toMatchObject({
      ok: false,
      failure: { code: 'EMPTY_RESPONSE', httpStatus: 200, retryable: false },
      requests: 1,
    });
  });

  it('counts every request on the instance', async () => {
    await setup();
    fake.failNext(2, 'drop');
    await fetchDay(NATIONAL);
    await fetchDay(NATIONAL);
    expect(totalRequests(client)).toBe(4);
  });
});

describe('fetchWindow body checks', () => {
  let server: http.Server;
  let body = '';

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const run = (): Promise<FetchWindowResult> => {
    const port = (server.address() as AddressInfo).port;
    const http2 = createRteHttp({ baseUrl: `http://127.0.0.1:${port}/`, timeoutMs: 2000 });
    return fetchWindow(
      { http: http2, getAuthorization: () => Promise.resolve(null) },
      { dataset: NATIONAL, ...DAY },
    );
  };

  it.each([
    ['{"results":[]}', /not an array/],
    ['[{"date":"2026-03-29"}]', /element 0 of 1 is not a record with a string date_heure/],
    ['[{"date_heure":"2026-03-29T00:00:00+00:00"}, 3]', /element 1 of 2/],
    ['[[]]', /element 0 of 1/],
  ])('rejects %s as RTE_BAD_BODY', async (text, message) => {
    body = text;
    const err = await thrown(run());
    expect(err.failure.code).toBe('RTE_BAD_BODY');
    expect(err.failure.message).toMatch(message);
  });

  it('keeps a leading byte-order mark in the body while parsing past it', async () => {
    body = '\uFEFF[{"date_heure":"2026-03-29T00:00:00+00:00"}]';
    const res = await run();
    if (!res.ok) throw new Error('expected rows');
    expect(res.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(res.rows).toEqual([{ date_heure: '2026-03-29T00:00:00+00:00' }]);
    expect(res.rateLimitRemaining).toBeNull();
  });
});
