import { ManagedIdentityCredential } from '@azure/identity';
import {
  APP_SERVICE_API_VERSION,
  startFakeIdentity,
  STORAGE_RESOURCE,
  VAULT_RESOURCE,
  type FakeIdentity,
} from '../../../../tools/standins/identity/server';

async function get(
  id: FakeIdentity,
  query: string,
  header: string | null = id.header,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${id.endpoint}?${query}`, {
    headers: header === null ? {} : { 'X-IDENTITY-HEADER': header },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('managed identity stand-in', () => {
  let id: FakeIdentity;
  beforeEach(async () => {
    id = await startFakeIdentity();
  });
  afterEach(async () => {
    await id.close();
  });

  const q = (resource: string): string =>
    `api-version=${APP_SERVICE_API_VERSION}&resource=${encodeURIComponent(resource)}`;

  it('issues a token in the App Service shape for a known resource', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { status, body } = await get(id, q(STORAGE_RESOURCE));
    expect(status).toBe(200);
    expect(body).toMatchObject({ resource: STORAGE_RESOURCE, token_type: 'Bearer' });
    expect(typeof body.access_token).toBe('string');
    expect(Number(body.expires_on)).toBeGreaterThanOrEqual(before + 3600);
    expect(id.issued()).toEqual([
      { resource: STORAGE_RESOURCE, token: body.access_token, expiresOn: Number(body.expires_on) },
    ]);
  });

  it('refuses a missing or wrong header, a wrong api-version and an unknown resource', async () => {
    expect((await get(id, q(STORAGE_RESOURCE), null)).status).toBe(401);
    expect((await get(id, q(STORAGE_RESOURCE), 'not-the-header')).status).toBe(401);
    expect((await get(id, `api-version=2017-09-01&resource=${STORAGE_RESOURCE}`)).status).toBe(400);
    expect((await get(id, `api-version=${APP_SERVICE_API_VERSION}`)).status).toBe(400);
    expect((await get(id, q('https://management.azure.com'))).status).toBe(400);
    expect(id.issued()).toEqual([]);
    const log = id.requests();
    expect(log.map((r) => [r.headerOk, r.status])).toEqual([
      [false, 401],
      [false, 401],
      [true, 400],
      [true, 400],
      [true, 400],
    ]);
    // the log never holds the header value
    expect(JSON.stringify(log)).not.toContain(id.header);
  });

  it('fails the next n token requests on demand', async () => {
    id.failNext(2, 503);
    expect((await get(id, q(VAULT_RESOURCE))).status).toBe(503);
    expect((await get(id, q(VAULT_RESOURCE))).status).toBe(503);
    expect((await get(id, q(VAULT_RESOURCE))).status).toBe(200);
    expect(id.issued()).toHaveLength(1);
  });

  it('serves the real ManagedIdentityCredential (App Service source) for both resources', async () => {
    const saved = { e: process.env.IDENTITY_ENDPOINT, h: process.env.IDENTITY_HEADER };
    Object.assign(process.env, id.env());
    try {
      const cred = new ManagedIdentityCredential();
      const storage = await cred.getToken(`${STORAGE_RESOURCE}/.default`);
      const vault = await cred.getToken(`${VAULT_RESOURCE}/.default`);
      expect(id.issued().map((t) => [t.resource, t.token])).toEqual([
        [STORAGE_RESOURCE, storage.token],
        [VAULT_RESOURCE, vault.token],
      ]);
      expect(storage.expiresOnTimestamp).toBe(id.issued()[0]!.expiresOn * 1000);
      expect(id.requests().map((r) => [r.apiVersion, r.resource, r.headerOk, r.userAssignedId])).toEqual([
        [APP_SERVICE_API_VERSION, STORAGE_RESOURCE, true, null],
        [APP_SERVICE_API_VERSION, VAULT_RESOURCE, true, null],
      ]);
    } finally {
      for (const [k, v] of [
        ['IDENTITY_ENDPOINT', saved.e],
        ['IDENTITY_HEADER', saved.h],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
