import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createLocalLake } from '../../../shared/lake/localLake';

const opts = { contentType: 'application/json', metadata: { sha256: 'abc', dataset: 'eco2mix-regional-tr' } };

describe('local lake', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lake-'));
  });

  it('writes bytes and metadata under <dir>/<filesystem>', async () => {
    const lake = createLocalLake(dir, 'bronze');
    const body = Buffer.from('[{"date_heure":"2026-11-28T00:00:00+00:00","x":1.50}]');
    await lake.write('rte/production/2026/11/28/a.json', body, opts);
    expect(readFileSync(path.join(dir, 'bronze/rte/production/2026/11/28/a.json')).equals(body)).toBe(true);
    expect(await lake.stat('rte/production/2026/11/28/a.json')).toEqual({ size: body.length, ...opts });
    expect(readdirSync(path.join(dir, 'bronze/rte/production/2026/11/28')).sort()).toEqual([
      '.a.json.meta.json',
      'a.json',
    ]);
  });

  it('renames with metadata and lists files only', async () => {
    const lake = createLocalLake(dir, 'bronze');
    await lake.write('_staging/i/s.json', Buffer.from('[]'), opts);
    await lake.rename('_staging/i/s.json', 'rte/production/2026/11/28/f.json');
    expect(await lake.read('_staging/i/s.json')).toBeUndefined();
    expect((await lake.stat('rte/production/2026/11/28/f.json'))?.metadata).toEqual(opts.metadata);
    expect(await lake.list('rte')).toEqual(['rte/production/2026/11/28/f.json']);
    expect(await lake.list('missing')).toEqual([]);
  });

  it('deletes files and directories, missing ones included', async () => {
    const lake = createLocalLake(dir, 'bronze');
    await lake.write('_staging/i/a.json', Buffer.from('1'), opts);
    await lake.delete('_staging/i/a.json');
    await lake.delete('_staging/i/none.json');
    expect(await lake.list('_staging')).toEqual([]);
    await lake.write('_staging/i/b.json', Buffer.from('1'), opts);
    await lake.deleteDirectory('_staging/i');
    await lake.deleteDirectory('_staging/gone');
    expect(readdirSync(path.join(dir, 'bronze/_staging'))).toEqual([]);
  });

  it('never writes outside the lake', async () => {
    const lake = createLocalLake(dir, 'bronze');
    await expect(lake.write('../outside.json', Buffer.from('x'), opts)).rejects.toThrow(
      'Refusing lake path "../outside.json": has an empty, . or .. segment',
    );
    await expect(lake.write('/etc/passwd', Buffer.from('x'), opts)).rejects.toThrow('must be relative');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves no temp file behind after a write', async () => {
    const lake = createLocalLake(dir, 'bronze');
    await lake.write('a/b.json', Buffer.from('{}'), opts);
    await lake.write('a/b.json', Buffer.from('{"v":2}'), opts);
    expect(readdirSync(path.join(dir, 'bronze/a')).sort()).toEqual(['.b.json.meta.json', 'b.json']);
    expect((await lake.read('a/b.json'))?.toString()).toBe('{"v":2}');
  });
});
