/**
 * The request gate: at most INGESTION_PARALLELISM ODRE requests at once in the process, exports
 * and coverage requests together, measured by the stand-in (its peak of requests in flight).
 */
import { getCoverageFetcher, getWindowFetcher } from '../../../shared/clients';
import { loadConfig } from '../../../shared/config';
import { fetchWindow } from '../../../shared/rte/client';
import { createRequestGate, lanePriority } from '../../../shared/rte/gate';
import { createRteHttp } from '../../../shared/rte/http';
import { startFakeOdre, type FakeOdre } from '../../../tools/standins/odre/server';

const NATIONAL = 'eco2mix-national-tr' as const;
const REGIONAL = 'eco2mix-regional-tr' as const;
const NOW = '2026-11-27T12:00:00Z';
const hour = (h: number) => ({
  from: `2026-11-26T${String(h).padStart(2, '0')}:00:00Z`,
  to: `2026-11-26T${String(h + 1).padStart(2, '0')}:00:00Z`,
});

describe('the request gate', () => {
  let odre: FakeOdre;
  beforeAll(async () => {
    // long enough that requests sent together overlap at the stand-in
    odre = await startFakeOdre({ now: NOW, latencyMs: 150 });
  });
  afterAll(() => odre.close());
  beforeEach(() => odre.resetLog());

  it('lets out INGESTION_PARALLELISM requests at once, exports and coverage alike, and answers them all', async () => {
    const config = loadConfig({ RTE_API_BASE_URL: odre.url, INGESTION_PARALLELISM: '3' });
    const fetcher = getWindowFetcher(config);
    const coverage = getCoverageFetcher(config);
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, (_, h) => fetcher({ dataset: NATIONAL, ...hour(h) })),
      coverage(NATIONAL),
      coverage(REGIONAL),
    ]);
    expect(answers.slice(0, 8).map((a) => 'ok' in a && a.ok && a.rows.length)).toEqual(Array(8).fill(4));
    expect(answers.slice(8).map((a) => 'earliest' in a && typeof a.earliest)).toEqual(['string', 'string']);
    expect(odre.requests()).toHaveLength(10);
    expect(odre.peakConcurrency()).toBe(3);
  });

  it('is what bounds them: without one, the same requests all go out at once', async () => {
    const http = createRteHttp({ baseUrl: odre.url, timeoutMs: 5000 });
    const deps = { http, getAuthorization: () => Promise.resolve(null) };
    await Promise.all(
      Array.from({ length: 6 }, (_, h) => fetchWindow(deps, { dataset: NATIONAL, ...hour(h) })),
    );
    expect(odre.peakConcurrency()).toBe(6);
    odre.resetLog();
    const gated = { ...deps, gate: createRequestGate(2) };
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, h) => fetchWindow(gated, { dataset: NATIONAL, ...hour(h) })),
    );
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(odre.peakConcurrency()).toBe(2);
  });

  it('frees its place when a request fails, so the ones waiting still go out', async () => {
    const http = createRteHttp({ baseUrl: 'http://127.0.0.1:9/', timeoutMs: 2000, transportRetries: 0 });
    const gate = createRequestGate(1);
    const refused = fetchWindow(
      { http, getAuthorization: () => Promise.resolve(null), gate },
      {
        dataset: NATIONAL,
        ...hour(1),
      },
    );
    const good = fetchWindow(
      {
        http: createRteHttp({ baseUrl: odre.url, timeoutMs: 5000 }),
        getAuthorization: () => Promise.resolve(null),
        gate,
      },
      { dataset: NATIONAL, ...hour(2) },
    );
    await expect(refused).rejects.toMatchObject({ failure: { code: 'RTE_NETWORK' } });
    await expect(good).resolves.toMatchObject({ ok: true, requests: 1 });
    expect(odre.requests()).toHaveLength(1);
  });

  it('lets the waiting request of the lane furthest behind out first, and a scheduled run before any lane', async () => {
    const http = createRteHttp({ baseUrl: odre.url, timeoutMs: 5000 });
    const deps = { http, getAuthorization: () => Promise.resolve(null), gate: createRequestGate(1) };
    // hour 0 takes the only place; the others wait with their lanes' backlogs, hour 5 is a scheduled run's
    const backlogs: (number | undefined)[] = [0, 1, 7, 3, 7, undefined];
    await Promise.all(
      backlogs.map((backlog, h) =>
        fetchWindow(deps, { dataset: NATIONAL, ...hour(h) }, { priority: lanePriority(backlog) }),
      ),
    );
    const sent = odre.requests().map((r) => /T(\d\d):00/.exec(r.query.where ?? '')?.[1]);
    expect(sent).toEqual(['00', '05', '02', '04', '03', '01']);
    expect(odre.peakConcurrency()).toBe(1);
  });
});
