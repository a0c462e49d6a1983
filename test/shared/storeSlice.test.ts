import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createLocalLake } from '../../shared/lake/localLake';
import type { Lake } from '../../shared/lake/lake';
import { storeStagedSlice } from '../../shared/storeSlice';
import { storeInput } from '../helpers/storeInput';

const body = Buffer.from('[{"date_heure":"2026-11-28T03:15:00+00:00","consommation":4682}]');
const sha = createHash('sha256').update(body).digest('hex');
const ID = 'eco2mix-20261128T0615Z';
const input = storeInput(ID, body, 'rte/production/2026/11/28/eco2mix_regional_20261128T061500Z.json');
const meta = { contentType: 'application/json', metadata: { sha256: sha, instance_id: ID } };

describe('store activity logic', () => {
  let lake: Lake;
  beforeEach(async () => {
    lake = createLocalLake(mkdtempSync(path.join(tmpdir(), 'store-')), 'bronze');
    await lake.write(input.fetched.stagingPath, body, meta);
  });

  it('moves the staged file into place with its metadata', async () => {
    expect(await storeStagedSlice(lake, input)).toEqual({
      path: input.fetched.finalPath,
      bytes: body.length,
      sha256: sha,
      records: 1,
      written: true,
    });
    expect((await lake.read(input.fetched.finalPath))?.equals(body)).toBe(true);
    expect((await lake.stat(input.fetched.finalPath))?.metadata).toEqual(meta.metadata);
    expect(await lake.list('_staging')).toEqual([]);
  });

  it('is idempotent: a second execution finds the file and writes nothing', async () => {
    await storeStagedSlice(lake, input);
    expect((await storeStagedSlice(lake, input)).written).toBe(false);
    expect(await lake.list('rte')).toEqual([input.fetched.finalPath]);
  });

  it('refuses a staged file whose bytes changed', async () => {
    await lake.write(input.fetched.stagingPath, Buffer.from('[]'), meta);
    await expect(storeStagedSlice(lake, input)).rejects.toThrow(/STAGING_CORRUPT/);
    expect(await lake.list('rte')).toEqual([]);
  });

  it('refuses to overwrite a file from another run', async () => {
    await lake.write(input.fetched.finalPath, Buffer.from('[1]'), {
      contentType: 'application/json',
      metadata: { sha256: 'other', instance_id: 'eco2mix-other' },
    });
    await expect(storeStagedSlice(lake, input)).rejects.toThrow(/LAKE_CONFLICT.*eco2mix-other/);
    expect((await lake.read(input.fetched.finalPath))?.toString()).toBe('[1]');
  });

  it('reports a vanished staging file as permanent', async () => {
    await lake.delete(input.fetched.stagingPath);
    await expect(storeStagedSlice(lake, input)).rejects.toThrow(/STAGING_MISSING/);
  });
});
