import { createHash } from 'node:crypto';
import type { StoreInput } from '../../shared/types';

/** What the store activity gets for one fetched regional slice staged under `instanceId`. */
export function storeInput(instanceId: string, body: Buffer, finalPath: string): StoreInput {
  return {
    instanceId,
    fetched: {
      ok: true,
      slice: {
        key: 'regional-x',
        dataset: 'eco2mix-regional-tr',
        from: '2026-11-28T03:15:00Z',
        to: '2026-11-28T06:15:00Z',
      },
      stagingPath: `_staging/ingestion/${instanceId}/regional-x.json`,
      finalPath,
      sourceUrl: 'http://odre/x',
      records: 1,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      httpStatus: 200,
      rateLimitRemaining: null,
      attempts: 1,
      requests: 1,
      completeness: {
        expected: 1,
        received: 1,
        nullMeasures: 0,
        missingQuarterCount: 0,
        missingQuarters: [],
        schemaWarnings: [],
        firstMissing: null,
      },
    },
  };
}
