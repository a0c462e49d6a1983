import { DataLakeServiceClient, type StoragePipelineOptions } from '@azure/storage-file-datalake';
import { createAdlsLake, LakeStorageError } from '../../../shared/lake/adlsLake';
import { LakePathError, type Lake } from '../../../shared/lake/lake';
import { startFakeDfs, type FakeDfs, type FakeDfsRequest } from '../../../tools/standins/dfs/server';

const TOKEN = 'storage-token-c0ffee';
/** Stands in for Entra ID: the SDK asks it for a token, the stand-in only checks one is sent. */
const credential = {
  getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const JSON_TYPE = 'application/json';
const META = { source: 'rte-eco2mix', records: '12', sha256: 'abc123' };

let dfs: FakeDfs;

/**
 * The real SDK client, trusting the stand-in's self-signed certificate through `tlsOptions` (a
 * core-rest-pipeline option that the storage pipeline forwards), never process-wide.
 */
function client(maxTries = 1): DataLakeServiceClient {
  const options: StoragePipelineOptions & { tlsOptions: { ca: string } } = {
    retryOptions: { maxTries, retryDelayInMs: 1, maxRetryDelayInMs: 1 },
    tlsOptions: { ca: dfs.ca },
  };
  return new DataLakeServiceClient(dfs.accountUrl, credential, options);
}

function lake(maxTries = 1): Lake {
  return createAdlsLake(client(maxTries).getFileSystemClient('bronze'), 'abfss://bronze@devstoreaccount1');
}

/** Method, path and the query keys that select the operation. */
function calls(from = 0): string[] {
  return dfs
    .requests()
    .slice(from)
    .map((r: FakeDfsRequest) => {
      const q = ['resource', 'action', 'position', 'mode', 'recursive', 'restype', 'directory']
        .filter((k) => r.query[k] !== undefined)
        .map((k) => `${k}=${r.query[k]}`)
        .join('&');
      const path = r.path.replace(/\.tmp-([a-z0-9._-]+)-[0-9a-f]{12}$/, '.tmp-$1-RANDOM');
      return `${r.method} ${path}${q ? `?${q}` : ''} ${r.status}`;
    });
}

beforeEach(async () => {
  dfs = await startFakeDfs();
  await client().getFileSystemClient('bronze').create();
});

afterEach(async () => {
  await dfs.close();
});

describe('createAdlsLake against the DFS stand-in, through the real SDK', () => {
  it('writes through a temporary file beside the target, then renames it into place', async () => {
    const body = Buffer.from('[{"a":1}]');
    const before = dfs.requests().length;

    await lake().write('rte/production/x.json', body, { contentType: JSON_TYPE, metadata: META });

    expect(calls(before)).toEqual([
      'PUT /devstoreaccount1/bronze/rte/production/.tmp-x.json-RANDOM?resource=file 201',
      'PATCH /devstoreaccount1/bronze/rte/production/.tmp-x.json-RANDOM?action=append&position=0 202',
      'PATCH /devstoreaccount1/bronze/rte/production/.tmp-x.json-RANDOM?action=flush&position=9 200',
      'PUT /bronze/rte/production/x.json?mode=legacy 201',
    ]);
    const reqs = dfs.requests().slice(before);
    expect(reqs.every((r) => r.auth === 'bearer')).toBe(true);
    expect(reqs[0]!.headers['x-ms-content-type']).toBe(JSON_TYPE);
    expect(reqs[0]!.headers['x-ms-properties']).toBe('source=cnRlLWVjbzJtaXg=,records=MTI=,sha256=YWJjMTIz');
    expect(reqs[2]!.headers['x-ms-content-type']).toBe(JSON_TYPE);
    expect(reqs[3]!.headers['x-ms-rename-source']).toBe(reqs[0]!.path);

    expect([...dfs.files().keys()]).toEqual(['bronze/rte/production/x.json']);
    expect(dfs.files().get('bronze/rte/production/x.json')).toEqual({
      body,
      contentType: JSON_TYPE,
      metadata: META,
    });
    expect(dfs.directories()).toEqual(['bronze/rte', 'bronze/rte/production']);
  });

  it('reads back the exact bytes and properties; missing files are undefined', async () => {
    const l = lake();
    const body = Buffer.from('{"é":"ü"}\n', 'utf8');
    await l.write('audit/ingestion/run-1.json', body, { contentType: JSON_TYPE, metadata: { run: 'run-1' } });

    expect(await l.read('audit/ingestion/run-1.json')).toEqual(body);
    expect(await l.stat('audit/ingestion/run-1.json')).toEqual({
      size: 12,
      contentType: JSON_TYPE,
      metadata: { run: 'run-1' },
    });
    expect(await l.read('audit/ingestion/missing.json')).toBeUndefined();
    expect(await l.stat('audit/ingestion/missing.json')).toBeUndefined();
    expect(await l.stat('audit/ingestion')).toBeUndefined();
    expect(await l.read('audit/ingestion')).toBeUndefined();
  });

  it('writes an empty file with its content type and metadata (create only)', async () => {
    const before = dfs.requests().length;
    await lake().write('a/empty.json', Buffer.alloc(0), {
      contentType: JSON_TYPE,
      metadata: { records: '0' },
    });
    expect(calls(before)).toEqual([
      'PUT /devstoreaccount1/bronze/a/.tmp-empty.json-RANDOM?resource=file 201',
      'PUT /bronze/a/empty.json?mode=legacy 201',
    ]);
    expect(dfs.files().get('bronze/a/empty.json')).toEqual({
      body: Buffer.alloc(0),
      contentType: JSON_TYPE,
      metadata: { records: '0' },
    });
  });

  it('replaces an existing file on write', async () => {
    const l = lake();
    await l.write('a/b.json', Buffer.from('old, longer body'), {
      contentType: JSON_TYPE,
      metadata: { v: '1' },
    });
    await l.write('a/b.json', Buffer.from('new'), { contentType: JSON_TYPE, metadata: { v: '2' } });
    expect([...dfs.files().keys()]).toEqual(['bronze/a/b.json']);
    expect(dfs.files().get('bronze/a/b.json')).toEqual({
      body: Buffer.from('new'),
      contentType: JSON_TYPE,
      metadata: { v: '2' },
    });
  });

  it('leaves nothing under the final name when the flush fails, and removes the temporary file', async () => {
    dfs.failNext('flush', 1, 503);
    const err = await lake()
      .write('rte/production/x.json', Buffer.from('[1]'), { contentType: JSON_TYPE, metadata: {} })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LakeStorageError);
    expect((err as Error).message).toBe(
      'ADLS write failed for "rte/production/x.json": HTTP 503 (ServerBusy)',
    );
    expect(err).toMatchObject({
      operation: 'write',
      path: 'rte/production/x.json',
      statusCode: 503,
      errorCode: 'ServerBusy',
    });
    expect(JSON.stringify(err)).not.toContain(TOKEN);
    expect((err as Error).stack).not.toContain(TOKEN);
    expect((err as Error & { cause?: unknown }).cause).toBeUndefined();
    expect(dfs.files().size).toBe(0);
    expect(calls().slice(-2)).toEqual([
      'PATCH /devstoreaccount1/bronze/rte/production/.tmp-x.json-RANDOM?action=flush&position=3 503',
      'DELETE /devstoreaccount1/bronze/rte/production/.tmp-x.json-RANDOM?recursive=false 200',
    ]);
  });

  it('keeps the previous file intact when the rename of a new version fails', async () => {
    const l = lake();
    await l.write('a/b.json', Buffer.from('v1'), { contentType: JSON_TYPE, metadata: {} });
    dfs.failNext('rename', 1, 500);
    await expect(
      l.write('a/b.json', Buffer.from('v2'), { contentType: JSON_TYPE, metadata: {} }),
    ).rejects.toThrow('ADLS write failed for "a/b.json": HTTP 500 (InternalError)');
    expect([...dfs.files().keys()]).toEqual(['bronze/a/b.json']);
    expect(dfs.files().get('bronze/a/b.json')!.body.toString()).toBe('v1');
  });

  it('still reports the failure when the temporary file cannot be removed either', async () => {
    dfs.failNext('append', 1, 503);
    dfs.failNext('delete', 1, 503);
    await expect(
      lake().write('a/b.json', Buffer.from('x'), { contentType: JSON_TYPE, metadata: {} }),
    ).rejects.toThrow('ADLS write failed for "a/b.json": HTTP 503 (ServerBusy)');
    // The leftover is never under the final name, and list() does not show it.
    expect([...dfs.files().keys()].map((k) => k.replace(/-[0-9a-f]{12}$/, ''))).toEqual([
      'bronze/a/.tmp-b.json',
    ]);
    expect(await lake().list('a')).toEqual([]);
  });

  it("lets the SDK's own retry policy absorb a transient 503", async () => {
    dfs.failNext('append', 1, 503);
    await lake(2).write('a/b.json', Buffer.from('ok'), { contentType: JSON_TYPE, metadata: {} });
    expect(dfs.files().get('bronze/a/b.json')!.body.toString()).toBe('ok');
    expect(
      dfs
        .requests()
        .filter((r) => r.query.action === 'append')
        .map((r) => r.status),
    ).toEqual([503, 202]);
  });

  it('renames onto an existing file, replacing it, and into a directory that does not exist yet', async () => {
    const l = lake();
    await l.write('_staging/ingestion/i1/s.json', Buffer.from('new'), {
      contentType: JSON_TYPE,
      metadata: { v: '2' },
    });
    await l.write('rte/production/a.json', Buffer.from('old'), {
      contentType: JSON_TYPE,
      metadata: { v: '1' },
    });

    await l.rename('_staging/ingestion/i1/s.json', 'rte/production/a.json');
    expect([...dfs.files().keys()]).toEqual(['bronze/rte/production/a.json']);
    expect(dfs.files().get('bronze/rte/production/a.json')).toEqual({
      body: Buffer.from('new'),
      contentType: JSON_TYPE,
      metadata: { v: '2' },
    });

    const before = dfs.requests().length;
    await l.rename('rte/production/a.json', 'rte/archive/2026/a.json');
    expect(calls(before)).toEqual([
      'PUT /bronze/rte/archive/2026/a.json?mode=legacy 404',
      'PUT /devstoreaccount1/bronze/rte/archive/2026?resource=directory 201',
      'PUT /bronze/rte/archive/2026/a.json?mode=legacy 201',
    ]);
    expect([...dfs.files().keys()]).toEqual(['bronze/rte/archive/2026/a.json']);
  });

  it('fails a rename whose source is missing, with status and service code only', async () => {
    await expect(lake().rename('a/missing.json', 'a/b.json')).rejects.toThrow(
      'ADLS rename failed for "a/missing.json -> a/b.json": HTTP 404 (SourcePathNotFound)',
    );
  });

  it('lists files recursively as lake paths, without directories; a missing directory is empty', async () => {
    const l = lake();
    const opts = { contentType: JSON_TYPE, metadata: {} };
    await l.write('rte/production/regional/2026/11/28/b.json', Buffer.from('1'), opts);
    await l.write('rte/production/regional/2026/11/28/a.json', Buffer.from('2'), opts);
    await l.write('rte/production/national/2026/11/29/c.json', Buffer.from('3'), opts);
    await l.write('rte/other.json', Buffer.from('4'), opts);
    await l.write('rte/production/date=2026-11-28/d.json', Buffer.from('5'), opts);

    expect(await l.list('rte/production')).toEqual([
      'rte/production/date=2026-11-28/d.json',
      'rte/production/national/2026/11/29/c.json',
      'rte/production/regional/2026/11/28/a.json',
      'rte/production/regional/2026/11/28/b.json',
    ]);
    expect(await l.list('rte')).toHaveLength(5);
    expect(await l.read('rte/production/date=2026-11-28/d.json')).toEqual(Buffer.from('5'));
    expect(await l.list('nothing/here')).toEqual([]);
    const listCall = dfs.requests().find((r) => r.query.resource === 'filesystem' && r.method === 'GET');
    expect(listCall?.query).toMatchObject({ directory: 'rte/production', recursive: 'true' });
  });

  it('follows x-ms-continuation across pages', async () => {
    await dfs.close();
    dfs = await startFakeDfs({ listPageSize: 2, filesystems: ['bronze'] });
    const l = lake();
    for (const n of ['1', '2', '3', '4']) {
      await l.write(`d/e/${n}.json`, Buffer.from(n), { contentType: JSON_TYPE, metadata: {} });
    }
    expect(await l.list('d')).toEqual(['d/e/1.json', 'd/e/2.json', 'd/e/3.json', 'd/e/4.json']);
    const pages = dfs.requests().filter((r) => r.method === 'GET' && r.query.resource === 'filesystem');
    expect(pages.map((p) => p.query.continuation ?? null)).toEqual([
      null,
      expect.any(String),
      expect.any(String),
    ]);
  });

  it('deletes files and directories, ignoring missing ones', async () => {
    const l = lake();
    const opts = { contentType: JSON_TYPE, metadata: {} };
    await l.write('_staging/ingestion/i1/a.json', Buffer.from('1'), opts);
    await l.write('_staging/ingestion/i1/sub/b.json', Buffer.from('2'), opts);
    await l.write('keep/c.json', Buffer.from('3'), opts);

    await l.delete('keep/c.json');
    await l.delete('keep/c.json');
    expect(await l.stat('keep/c.json')).toBeUndefined();

    await l.deleteDirectory('_staging/ingestion/i1');
    await l.deleteDirectory('_staging/ingestion/i1');
    expect([...dfs.files().keys()]).toEqual([]);
    expect(dfs.directories()).toEqual(['bronze/_staging', 'bronze/_staging/ingestion', 'bronze/keep']);
    const deletes = calls().filter((c) => c.startsWith('DELETE'));
    expect(deletes).toEqual([
      'DELETE /devstoreaccount1/bronze/keep/c.json?recursive=false 200',
      'DELETE /devstoreaccount1/bronze/keep/c.json?recursive=false 404',
      'DELETE /devstoreaccount1/bronze/_staging/ingestion/i1?recursive=true 200',
      'DELETE /devstoreaccount1/bronze/_staging/ingestion/i1?recursive=true 404',
    ]);
  });

  it('refuses paths outside the lake before any request', async () => {
    const l = lake();
    const before = dfs.requests().length;
    const opts = { contentType: JSON_TYPE, metadata: {} };
    await expect(l.write('../etc/x', Buffer.from('1'), opts)).rejects.toThrow(LakePathError);
    await expect(l.read('/abs')).rejects.toThrow(LakePathError);
    await expect(l.stat('a//b')).rejects.toThrow(LakePathError);
    await expect(l.rename('a', 'b/../c')).rejects.toThrow(LakePathError);
    await expect(l.delete('')).rejects.toThrow(LakePathError);
    await expect(l.deleteDirectory('a\\b')).rejects.toThrow(LakePathError);
    await expect(l.list('a b')).rejects.toThrow(LakePathError);
    expect(dfs.requests().length).toBe(before);
  });

  it('reports a missing filesystem as an error, not as a missing file', async () => {
    const other = createAdlsLake(client().getFileSystemClient('absent'), 'x');
    await expect(other.stat('a.json')).rejects.toThrow(
      'ADLS stat failed for "a.json": HTTP 404 (ContainerNotFound)',
    );
    await expect(other.read('a.json')).rejects.toThrow(
      'ADLS read failed for "a.json": HTTP 404 (ContainerNotFound)',
    );
    await expect(other.list('a')).rejects.toThrow('ADLS list failed for "a": HTTP 404 (FilesystemNotFound)');
    await expect(other.delete('a.json')).rejects.toThrow('(FilesystemNotFound)');
    await expect(other.deleteDirectory('a')).rejects.toThrow('(FilesystemNotFound)');
  });

  it('reports an unreachable account without a status', async () => {
    const l = lake();
    await dfs.close();
    const err = await l.stat('a.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LakeStorageError);
    expect((err as Error).message).toMatch(/^ADLS stat failed for "a\.json": no response \(\w+\)$/);
    dfs = await startFakeDfs();
  });

  it('exposes its location', () => {
    expect(lake().location).toBe('abfss://bronze@devstoreaccount1');
  });
});
