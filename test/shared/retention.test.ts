/**
 * Retention: before a backfill, one coverage request per dataset (cached a day in the state
 * entity) finds the first instant it holds; a backfill starting earlier is refused with 400.
 * Real axios client against a local HTTP server, real DurableClient from the embedded runtime.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest } from '@azure/functions';
import { getConfig } from '../../shared/config';
import { COVERAGE_PARAMS, fetchCoverage } from '../../shared/rte/coverage';
import { createRteHttp } from '../../shared/rte/http';
import { startManualRun } from '../../shared/starters';
import type { DatasetState } from '../../shared/types';
import { startHarness, type Harness } from '../e2e/harness';

const NOW = Date.parse('2026-09-27T10:07:00Z');
const post = (body: unknown) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/ingestion/runs',
    body: { string: JSON.stringify(body) },
  });

describe('retention (coverage request before a backfill)', () => {
  let h: Harness;
  let server: http.Server;
  const asked: string[] = [];
  let coverage: (d: Parameters<typeof fetchCoverage>[1]) => ReturnType<typeof fetchCoverage>;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      const url = new URL(req.url ?? '', 'http://x');
      const national = url.pathname.includes('eco2mix-national-tr');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          total_count: 1,
          results: [
            {
              nature: 'Données temps réel',
              first: national ? '2026-06-30T22:00:00+00:00' : '2026-07-01T00:00:00+00:00',
              last: '2026-09-27T09:45:00+00:00',
            },
          ],
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const httpClient = createRteHttp({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      timeoutMs: 2000,
    });
    coverage = (d) => fetchCoverage({ http: httpClient, getAuthorization: () => Promise.resolve(null) }, d);
    h = await startHarness({ now: NOW });
  });
  afterAll(async () => {
    await h.stop();
    await new Promise((r) => server.close(r));
  });

  it('refuses a backfill that starts before the data the dataset holds, naming where older data is', async () => {
    const res = await startManualRun(
      h.host.client(),
      getConfig(),
      post({ from: '2026-06-01T00:00:00Z', to: '2026-06-02T00:00:00Z', datasets: ['eco2mix-regional-tr'] }),
      NOW,
      'n1',
      () => undefined,
      coverage,
    );
    expect(res).toEqual({
      status: 400,
      jsonBody: {
        error: 'range starts before the data eco2mix-regional-tr holds',
        details: {
          field: 'from',
          earliest: '2026-07-01T00:00:00Z',
          olderDataIn: 'eco2mix-regional-cons-def',
        },
      },
    });
    expect(asked).toHaveLength(1);
    const url = new URL(asked[0] ?? '', 'http://x');
    expect(url.pathname).toBe('/api/explore/v2.1/catalog/datasets/eco2mix-regional-tr/records');
    expect(Object.fromEntries(url.searchParams)).toEqual(COVERAGE_PARAMS);
    expect(h.host.engine.listInstances().instances).toEqual([]);
  });

  it('caches the first instant for a day in the state entity, and lets a later backfill start', async () => {
    for (let i = 0; i < 50 && !(h.state('eco2mix-regional-tr') as DatasetState | undefined)?.coverage; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((h.state('eco2mix-regional-tr') as unknown as DatasetState).coverage).toEqual({
      earliest: '2026-07-01T00:00:00Z',
      checkedAt: '2026-09-27T10:07:00.000Z',
    });
    const ok = await startManualRun(
      h.host.client(),
      getConfig(),
      post({ from: '2026-07-01T00:00:00Z', to: '2026-07-02T00:00:00Z', datasets: ['eco2mix-regional-tr'] }),
      NOW + 60_000,
      'n2',
      () => undefined,
      coverage,
    );
    expect((ok as { status: number }).status).toBe(202);
    expect(asked).toHaveLength(1);
  });
});
