import { get, start as startAt, stopAll } from './helpers';
import type { FakeOdre, FakeOdreOptions } from '../../../../tools/standins/odre/server';

const NOW = '2026-03-31T12:00:00Z';

let fake: FakeOdre;
const start = (options: FakeOdreOptions = {}): Promise<FakeOdre> => startAt({ now: NOW, ...options });

afterEach(stopAll);

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
