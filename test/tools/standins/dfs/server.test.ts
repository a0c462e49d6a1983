import * as http from 'node:http';
import * as https from 'node:https';
import { DataLakeServiceClient, StorageSharedKeyCredential } from '@azure/storage-file-datalake';
import { startFakeDfs, type FakeDfs } from '../../../../tools/standins/dfs/server';
import { startFakeKeyVault } from '../../../../tools/standins/keyvault/server';

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, for the protocol details the SDK tests do not reach. */
function call(
  base: string,
  ca: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<Res> {
  const url = new URL(path, base);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      { method, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers }, ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const AUTH = { authorization: 'Bearer t' };

describe('DFS stand-in protocol details', () => {
  let dfs: FakeDfs;
  const go = (
    method: string,
    path: string,
    headers: Record<string, string> = AUTH,
    body = '',
  ): Promise<Res> => call(dfs.url, dfs.ca, method, path, headers, body);

  beforeEach(async () => {
    dfs = await startFakeDfs({ filesystems: ['bronze'] });
  });
  afterEach(async () => {
    await dfs.close();
  });

  it('rejects a request without credentials with 401 and a bearer challenge, and records it', async () => {
    const res = await go('GET', '/devstoreaccount1/bronze?resource=filesystem&recursive=true', {});
    expect(res.status).toBe(401);
    expect(res.headers['x-ms-error-code']).toBe('NoAuthenticationInformation');
    expect(res.headers['www-authenticate']).toContain('resource_id=https://storage.azure.com');
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'NoAuthenticationInformation' } });
    expect(dfs.requests()).toEqual([
      {
        method: 'GET',
        path: '/devstoreaccount1/bronze',
        query: { resource: 'filesystem', recursive: 'true' },
        headers: expect.objectContaining({ 'content-length': '0' }),
        auth: 'none',
        status: 401,
      },
    ]);
  });

  it('never records the Authorization header', async () => {
    await go('PUT', '/devstoreaccount1/bronze/a.json?resource=file', {
      authorization: 'Bearer secret-token',
    });
    expect(JSON.stringify(dfs.requests())).not.toContain('secret-token');
    expect(dfs.requests()[0]!.auth).toBe('bearer');
  });

  it('checks flush positions, refuses non-recursive deletes of full directories, serves ranges', async () => {
    expect((await go('PUT', '/devstoreaccount1/bronze/d/f.txt?resource=file')).status).toBe(201);
    expect(
      (await go('PATCH', '/devstoreaccount1/bronze/d/f.txt?action=append&position=0', AUTH, 'hello')).status,
    ).toBe(202);
    const bad = await go('PATCH', '/devstoreaccount1/bronze/d/f.txt?action=flush&position=4');
    expect([bad.status, bad.headers['x-ms-error-code']]).toEqual([400, 'InvalidFlushPosition']);
    expect(dfs.files().get('bronze/d/f.txt')!.body.length).toBe(0);
    expect((await go('PATCH', '/devstoreaccount1/bronze/d/f.txt?action=flush&position=5')).status).toBe(200);

    const range = await go('GET', '/devstoreaccount1/bronze/d/f.txt', { ...AUTH, 'x-ms-range': 'bytes=1-3' });
    expect([range.status, range.body, range.headers['content-range']]).toEqual([206, 'ell', 'bytes 1-3/5']);

    const del = await go('DELETE', '/devstoreaccount1/bronze/d?recursive=false');
    expect([del.status, del.headers['x-ms-error-code']]).toEqual([409, 'DirectoryNotEmpty']);

    const list = await go('GET', '/devstoreaccount1/bronze?resource=filesystem&recursive=false');
    expect(JSON.parse(list.body)).toMatchObject({ paths: [{ name: 'd', isDirectory: 'true' }] });
  });

  it('answers blob-endpoint errors in XML and DFS errors in JSON', async () => {
    const blob = await go('GET', '/devstoreaccount1/bronze/missing');
    expect(blob.status).toBe(404);
    expect(blob.body).toContain('<Code>BlobNotFound</Code>');
    const dfsErr = await go('PATCH', '/devstoreaccount1/bronze/missing?action=flush&position=0');
    expect(JSON.parse(dfsErr.body)).toMatchObject({ error: { code: 'PathNotFound' } });
    const wrongAccount = await go('GET', '/otheraccount/bronze/x');
    expect(wrongAccount.headers['x-ms-error-code']).toBe('InvalidUri');
  });

  it('counts down injected faults per operation', async () => {
    dfs.failNext('create', 2, 500);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await go('PUT', '/devstoreaccount1/bronze/x?resource=file')).status);
    expect(statuses).toEqual([500, 500, 201]);
  });

  it('serves plain http for a StorageSharedKeyCredential when asked (unverified signature)', async () => {
    await dfs.close();
    dfs = await startFakeDfs({ https: false });
    const key = Buffer.from('not-a-real-key').toString('base64');
    const service = new DataLakeServiceClient(
      dfs.accountUrl,
      new StorageSharedKeyCredential('devstoreaccount1', key),
      {
        retryOptions: { maxTries: 1 },
      },
    );
    const fs = service.getFileSystemClient('bronze');
    await fs.create();
    await fs.getFileClient('a.txt').upload(Buffer.from('x'));
    expect(dfs.url.startsWith('http://')).toBe(true);
    expect(dfs.ca).toBe('');
    expect(dfs.requests().map((r) => r.auth)).toEqual(['sharedkey', 'sharedkey', 'sharedkey', 'sharedkey']);
    expect(dfs.files().get('bronze/a.txt')!.body.toString()).toBe('x');
  });
});

describe('Key Vault stand-in protocol details', () => {
  it('challenges token-less requests, wants an api-version, and 404s unknown versions', async () => {
    const vault = await startFakeKeyVault({ secrets: { s: 'v' } });
    try {
      const go = (path: string, headers: Record<string, string> = AUTH) =>
        call(vault.url, vault.ca, 'GET', path, headers);
      const challenge = await go('/secrets/s?api-version=2025-07-01', {});
      expect(challenge.status).toBe(401);
      expect(challenge.headers['www-authenticate']).toBe(
        `Bearer authorization="https://login.microsoftonline.com/${vault.tenantId}", resource="https://vault.azure.net"`,
      );
      expect((await go('/secrets/s')).status).toBe(400);
      expect((await go('/secrets/s/0123456789abcdef0123456789abcdef?api-version=1')).status).toBe(404);
      const ok = JSON.parse((await go('/secrets/s?api-version=1')).body);
      expect(ok).toMatchObject({ value: 'v', attributes: { enabled: true } });
      expect(ok.id).toMatch(new RegExp(`^${vault.url}/secrets/s/[0-9a-f]{32}$`));
      expect((await go(`/secrets/s/${ok.id.split('/').pop()}?api-version=1`)).status).toBe(200);
      vault.removeSecret('s');
      expect((await go('/secrets/s?api-version=1')).status).toBe(404);
      expect((await call(vault.url, vault.ca, 'DELETE', '/secrets/s?api-version=1', AUTH)).status).toBe(400);
    } finally {
      await vault.close();
    }
  });
});
