import { mkdtempSync } from 'node:fs';
import { PRIORITY_FIRST } from '../../shared/rte/gate';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fetchWindow } from '../../shared/rte/client';
import { createRteHttp } from '../../shared/rte/http';
import { fetchSliceToStaging, readCounter, type WindowFetcher } from '../../shared/fetchSlice';
import { createLocalLake } from '../../shared/lake/localLake';
import type { Lake } from '../../shared/lake/lake';
import { RetryableError } from '../../shared/errors';
import type { FetchInput } from '../../shared/types';
import { startFakeOdre, type FakeOdre } from '../../tools/standins/odre/server';

const input: FetchInput = {
  instanceId: 'eco2mix-20261128T0615Z',
  slot: '2026-11-28T06:15:00Z',
  slice: {
    key: 'regional-20261127T000000Z',
    dataset: 'eco2mix-regional-tr',
    from: '2026-11-27T00:00:00Z',
    to: '2026-11-28T00:00:00Z',
  },
  multiSlice: true,
};

describe('fetch activity logic against the ODRE stand-in', () => {
  let odre: FakeOdre;
  let lake: Lake;
  let fetcher: WindowFetcher;
  beforeAll(async () => {
    odre = await startFakeOdre({ now: '2026-11-28T12:00:00Z' });
    const http = createRteHttp({ baseUrl: odre.url, timeoutMs: 2000, transportRetries: 2 });
    fetcher = (req, options) =>
      fetchWindow({ http, getAuthorization: () => Promise.resolve(null) }, req, options);
  });
  afterAll(() => odre.close());
  beforeEach(() => {
    lake = createLocalLake(mkdtempSync(path.join(tmpdir(), 'fetch-')), 'bronze');
    odre.clearFaults();
    odre.resetLog();
  });

  it('stages the raw body byte for byte and returns metadata only', async () => {
    const result = await fetchSliceToStaging({ lake, fetchWindow: fetcher }, input);
    if (!result.ok) throw new Error('expected ok');
    const served = odre.requests()[0]!;
    const staged = await lake.read(result.stagingPath);
    expect(result.stagingPath).toBe(
      '_staging/ingestion/eco2mix-20261128T0615Z/regional-20261127T000000Z.json',
    );
    expect(result.finalPath).toBe(
      'rte/production/2026/11/28/eco2mix_regional_20261128T061500Z_20261127T000000Z.json',
    );
    expect([result.records, result.attempts, result.requests, result.httpStatus]).toEqual([1152, 1, 1, 200]);
    expect(result.sha256).toBe(served.sha256);
    expect(staged?.length).toBe(result.bytes);
    expect(result.completeness).toMatchObject({
      expected: 1152,
      received: 1152,
      missingQuarterCount: 0,
      firstMissing: null,
    });
    const props = await lake.stat(result.stagingPath);
    expect(props?.contentType).toBe('application/json');
    expect(props?.metadata).toMatchObject({
      sha256: result.sha256,
      record_count: '1152',
      instance_id: input.instanceId,
    });
    expect(JSON.stringify(result)).not.toContain('"date_heure"');
  });

  it("hands the request gate the lane's backlog as priority, and a scheduled run's slice goes first", async () => {
    const seen: (number | undefined)[] = [];
    const watching: WindowFetcher = (req, options) => {
      seen.push(options?.priority);
      return fetcher(req, options);
    };
    await fetchSliceToStaging({ lake, fetchWindow: watching }, { ...input, backlog: 5 });
    await fetchSliceToStaging({ lake, fetchWindow: watching }, input);
    expect(seen).toEqual([5, PRIORITY_FIRST]);
    expect(odre.requests()).toHaveLength(2);
  });

  it('returns a typed failure for 401 after one request, counting the attempt', async () => {
    odre.addFault({ kind: 401 });
    const result = await fetchSliceToStaging({ lake, fetchWindow: fetcher }, input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject({
      code: 'RTE_HTTP_401',
      http_status: 401,
      retryable: false,
      attempts: 1,
    });
    expect(odre.requests()).toHaveLength(1);
    expect(await lake.list('_staging/ingestion/eco2mix-20261128T0615Z')).toEqual([
      '_staging/ingestion/eco2mix-20261128T0615Z/regional-20261127T000000Z.attempts',
    ]);
  });

  it('throws a retryable error for 503 and counts attempts across retries', async () => {
    odre.addFault({ kind: 503 });
    await expect(fetchSliceToStaging({ lake, fetchWindow: fetcher }, input)).rejects.toBeInstanceOf(
      RetryableError,
    );
    const second = await fetchSliceToStaging({ lake, fetchWindow: fetcher }, input);
    expect(second.ok && [second.attempts, second.requests]).toEqual([2, 2]);
  });

  it('counts transport retries of a dropped connection as requests', async () => {
    odre.addFault({ kind: 'drop' });
    const result = await fetchSliceToStaging({ lake, fetchWindow: fetcher }, input);
    expect(result.ok && [result.attempts, result.requests]).toEqual([1, 2]);
    expect(
      await readCounter(lake, '_staging/ingestion/eco2mix-20261128T0615Z/regional-20261127T000000Z.attempts'),
    ).toEqual({
      attempts: 1,
      requests: 2,
    });
  });
});
