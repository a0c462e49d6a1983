import { DataLakeServiceClient, type StoragePipelineOptions } from '@azure/storage-file-datalake';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createAdlsLake } from '../../../shared/lake/adlsLake';
import { createLocalLake } from '../../../shared/lake/localLake';
import { startFakeDfs } from '../../../tools/standins/dfs/server';
import { describeLakeContract } from './contract';

describeLakeContract('local folder', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lake-contract-'));
  const spies: jest.SpyInstance[] = [];
  return Promise.resolve({
    lake: createLocalLake(dir, 'bronze'),
    // The bytes are in the temporary file; the rename that gives them the final name fails.
    failNextWrite: () => {
      spies.push(
        jest
          .spyOn(fs.promises, 'rename')
          .mockRejectedValueOnce(Object.assign(new Error('EIO: injected'), { code: 'EIO' })),
      );
    },
    close: () => {
      for (const s of spies) s.mockRestore();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});

describeLakeContract('ADLS Gen2 through the real SDK, against the DFS stand-in over HTTPS', async () => {
  const dfs = await startFakeDfs();
  const credential = {
    getToken: async () => ({ token: 'storage-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  const options: StoragePipelineOptions & { tlsOptions: { ca: string } } = {
    retryOptions: { maxTries: 1 },
    tlsOptions: { ca: dfs.ca },
  };
  const filesystem = new DataLakeServiceClient(dfs.accountUrl, credential, options).getFileSystemClient(
    'bronze',
  );
  await filesystem.create();
  return {
    lake: createAdlsLake(filesystem, 'abfss://bronze@devstoreaccount1'),
    failNextWrite: () => dfs.failNext('rename', 1, 500),
    close: () => dfs.close(),
  };
});
