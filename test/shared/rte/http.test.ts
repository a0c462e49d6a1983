import { AxiosError } from 'axios';
import {
  createRteHttp,
  isTransportFailure,
  totalRequests,
  transportRetryDelay,
} from '../../../shared/rte/http';
import { startFakeOdre, type FakeOdre } from '../../../tools/standins/odre/server';

describe('createRteHttp', () => {
  let fake: FakeOdre;

  beforeEach(async () => {
    fake = await startFakeOdre({ now: '2026-03-31T12:00:00Z' });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('keeps raw bytes and strips a trailing slash from the base URL', async () => {
    const http = createRteHttp({ baseUrl: `${fake.url}/`, timeoutMs: 2000 });
    expect(http.defaults.baseURL).toBe(fake.url);
    const res = await http.get<Buffer>(
      '/api/explore/v2.1/catalog/datasets/eco2mix-national-tr/records?limit=1',
    );
    expect(Buffer.isBuffer(res.data)).toBe(true);
    expect(fake.requests()[0]!.sha256).toBeTruthy();
  });

  it('uses the configured number of transport retries and counts each request', async () => {
    const http = createRteHttp({ baseUrl: fake.url, timeoutMs: 2000, transportRetries: 0 });
    fake.failNext(1, 'drop');
    let sent = 0;
    await expect(
      http.get('/api/explore/v2.1/catalog/datasets/eco2mix-national-tr/records', {
        onRequestSent: () => {
          sent++;
        },
      }),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(sent).toBe(1);
    expect(totalRequests(http)).toBe(1);
    expect(fake.requests()).toHaveLength(1);
  });

  it('never retries an HTTP status, even with the default validateStatus', async () => {
    const http = createRteHttp({ baseUrl: fake.url, timeoutMs: 2000 });
    fake.failNext(1, 502);
    await expect(
      http.get('/api/explore/v2.1/catalog/datasets/eco2mix-national-tr/records'),
    ).rejects.toMatchObject({
      response: { status: 502 },
    });
    expect(fake.requests()).toHaveLength(1);
  });
});

describe('isTransportFailure', () => {
  const err = (code: string | undefined, status?: number): AxiosError => {
    const e = new AxiosError('x', code);
    if (status !== undefined) {
      e.response = { status, statusText: '', headers: {}, config: { headers: {} } as never, data: null };
    }
    return e;
  };

  it('retries only connection failures without a response', () => {
    expect(isTransportFailure(err('ECONNRESET'))).toBe(true);
    expect(isTransportFailure(err('ECONNREFUSED'))).toBe(true);
    expect(isTransportFailure(err('ECONNABORTED'))).toBe(false);
    expect(isTransportFailure(err('ETIMEDOUT'))).toBe(false);
    expect(isTransportFailure(err('ERR_CANCELED'))).toBe(false);
    expect(isTransportFailure(err(undefined))).toBe(false);
    expect(isTransportFailure(err('ECONNRESET', 503))).toBe(false);
  });

  it('waits 100, 200, then 300 ms', () => {
    expect([1, 2, 3, 4].map(transportRetryDelay)).toEqual([100, 200, 300, 300]);
  });
});
