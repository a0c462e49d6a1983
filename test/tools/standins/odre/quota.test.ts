import { get, start, stopAll } from './helpers';

afterAll(stopAll);

const PATH = 'eco2mix-national-tr/records';

describe('ODRE stand-in quota (facts.md sections 1 and 6)', () => {
  it('answers the documented 10002 body with reset_time and no Retry-After, and resets at midnight UTC', async () => {
    const fake = await start({ now: '2026-11-28T23:59:00Z', dailyLimit: 1 });
    expect((await get(fake, PATH)).status).toBe(200);
    const spent = await get(fake, PATH);
    expect(spent.status).toBe(429);
    expect(spent.headers.get('retry-after')).toBeNull();
    expect(spent.json()).toEqual({
      errorcode: 10002,
      reset_time: '2026-11-29T00:00:00Z',
      limit_time_unit: 'day',
      call_limit: 1,
      error: 'Too many requests on the domain. Please contact the domain administrator.',
    });
    fake.advance(60_000);
    expect((await get(fake, PATH)).status).toBe(200);
  });

  it('answers 10005 to anonymous calls and 10002 to identified ones with quotaBody auto', async () => {
    const fake = await start({ now: '2026-11-28T12:00:00Z', dailyLimit: 0, quotaBody: 'auto' });
    const anonymous = await get(fake, PATH);
    expect(anonymous.json()).toMatchObject({ errorcode: 10005, limit_time_unit: 'day', call_limit: 0 });
    expect(anonymous.json().error).toMatch(/anonymous/);
    const identified = await get(fake, PATH, {}, { authorization: 'Apikey k' });
    expect(identified.json()).toMatchObject({ errorcode: 10002 });
  });

  it('counts a monthly quota that resets on the 1st, UTC', async () => {
    let now = Date.parse('2026-11-30T10:00:00Z');
    const fake = await start({ now: () => now, monthlyLimit: 2 });
    expect((await get(fake, PATH)).status).toBe(200);
    now += 86_400_000 / 2;
    expect((await get(fake, PATH)).status).toBe(200);
    const spent = await get(fake, PATH);
    expect(spent.status).toBe(429);
    expect(spent.json()).toMatchObject({
      reset_time: '2026-12-01T00:00:00Z',
      limit_time_unit: 'month',
      call_limit: 2,
    });
    now = Date.parse('2026-12-01T00:00:00Z');
    expect((await get(fake, PATH)).status).toBe(200);
  });
});
