import { HOLES, NOW, startScenario, stopScenario, type Scenario } from './scenario';

const at = (day: { quarters: string }, iso: string): string => day.quarters[(Date.parse(iso) % 86_400_000) / 900_000] ?? '?';

describe('GET /api/ingestion/coverage after a scripted history', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario();
  });
  afterAll(async () => stopScenario(s));

  it('answers per dataset and day from state and heartbeats', async () => {
    const res = await s.h.get('/api/ingestion/coverage?from=2026-11-07&to=2026-11-10');
    expect(res.status).toBe(200);
    expect([res.body.from, res.body.to]).toEqual(['2026-11-07', '2026-11-10']);
    const [regional, national] = res.body.datasets as {
      dataset: string;
      watermark: string;
      days: { date: string; quarters: string; counts: Record<string, number> }[];
    }[];
    expect(regional!.dataset).toBe('eco2mix-regional-tr');
    // the backfill's unserved quarter stops the regional watermark (issue 11 moves it past gaps)
    expect(regional!.watermark).toBe(HOLES[0]);
    const r = Object.fromEntries(regional!.days.map((d) => [d.date, d]));
    expect(r['2026-11-07']!.counts).toMatchObject({ missing: 96 }); // before the backfill
    expect(r['2026-11-08']!.counts).toMatchObject({ landed: 96 });
    expect(r['2026-11-09']!.counts).toMatchObject({ landed: 95, missing: 1 });
    expect(at(r['2026-11-09']!, HOLES[0]!)).toBe('M');
    const today = r['2026-11-10']!;
    expect(at(today, HOLES[1]!)).toBe('M');
    expect(at(today, '2026-11-10T04:45:00Z')).toBe('L');
    expect(at(today, '2026-11-10T09:15:00Z')).toBe('L');
    expect(today.quarters.slice(38)).toBe('N'.repeat(58)); // 09:30 onwards is not due at 09:40
    expect(today.counts).toEqual({ landed: 37, unpublished: 0, missing: 1, gap: 0, 'not due': 58 });
    const n = Object.fromEntries(national!.days.map((d) => [d.date, d]));
    expect(n['2026-11-10']!.counts).toEqual({ landed: 38, unpublished: 0, missing: 0, gap: 0, 'not due': 58 });
    expect(Date.now()).toBe(NOW);
  });

  it.each([
    ['from=2026-13-01', 'from'],
    ['to=nope', 'to'],
    ['from=2025-01-01&to=2026-11-10', 'from'],
    ['dataset=eco2mix-x', 'dataset'],
  ])('400 for %s names %s', async (q, field) => {
    const res = await s.h.get(`/api/ingestion/coverage?${q}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid query', details: { field } });
  });

  it('the run API shows a failed run as a timeline of attempts, retry timers and failures', async () => {
    const res = await s.h.get(`/api/ingestion/runs/${s.failedId}?showHistory=true`);
    expect(res.status).toBe(200);
    const tl = res.body.timeline as { kind: string; name: string; ok: boolean; attempt?: number; error?: string }[];
    const fetches = tl.filter((e) => e.name === 'fetchSlice');
    expect(fetches.length).toBeGreaterThanOrEqual(8);
    expect(fetches.every((e) => !e.ok)).toBe(true);
    expect(Math.max(...fetches.map((e) => e.attempt ?? 0))).toBe(4);
    expect(tl.filter((e) => e.kind === 'timer' && e.name === 'retry timer').length).toBeGreaterThanOrEqual(6);
    expect(fetches[0]!.error).toMatch(/503/);
    expect(tl.at(-1)).toMatchObject({ kind: 'run', ok: false });
    const plain = await s.h.get(`/api/ingestion/runs/${s.failedId}`);
    expect(plain.body.timeline).toBeUndefined();
  });

  it('serves the dashboard behind the function key with a strict CSP', async () => {
    const url = `${s.h.host.httpUrl}/api/ingestion/dashboard`;
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(`${url}?code=e2e-key&from=2026-11-09&to=2026-11-10`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const page = await res.text();
    expect(page).toContain(`<script nonce="${nonce}">`);
    expect(page).not.toContain('e2e-key');
    for (const id of s.runIds) expect(page).toContain(`data-run="${id}"`);
    expect(page.match(/data-state="missing"/g)).toHaveLength(2); // the two unserved regional quarters
    const tooLong = await fetch(`${url}?code=e2e-key&from=2026-01-01&to=2026-11-10`);
    expect(tooLong.status).toBe(400);
  });
});
