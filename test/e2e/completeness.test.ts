/**
 * Completeness in the heartbeat: quarters the source does not serve are listed per slice, and the
 * watermark stops at the first missing quarter so that the next run fetches it again.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeOdre } from '../../tools/standins/odre/server';
import { FAKE_DATE_ONLY, startHarness, type Harness } from './harness';
import { iso } from '../../shared/time';

const QUARTER = 15 * 60_000;
const HOUR = 3_600_000;
const DAY_MS = 86_400_000;
const REGIONAL = 'eco2mix-regional-tr';
const NATIONAL = 'eco2mix-national-tr';

describe('completeness with gaps in the source', () => {
  let h: Harness;
  const now = Date.parse('2026-03-20T12:07:00Z');
  const d0 = Date.parse('2026-03-17T00:00:00Z');
  // regional: region 32 misses 06:00 and 06:15 on day 1; national misses 12:00 on day 2
  const regionalGap = d0 + 6 * HOUR;
  const nationalGap = d0 + DAY_MS + 12 * HOUR;

  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now });
    h = await startHarness({
      odre: {
        publishDelayMs: 0,
        gaps: [
          {
            dataset: REGIONAL,
            from: iso(regionalGap),
            to: iso(regionalGap + 2 * QUARTER),
            regions: ['32'],
          },
          { dataset: NATIONAL, from: iso(nationalGap) },
        ],
      },
    });
  });
  afterAll(async () => {
    await h.stop();
    jest.useRealTimers();
  });

  it('lists the missing quarters in the heartbeat and stops the watermark at the first one', async () => {
    const started = await h.startRun({ from: iso(d0), to: iso(d0 + 2 * DAY_MS) });
    expect(started.status).toBe(202);
    const rec = await h.wait(started.body.id as string);
    expect(rec.status).toBe('Completed');
    const out = JSON.parse(rec.output!);
    // every slice landed: incomplete data is still data
    expect([out.status, out.files, out.records]).toEqual(['succeeded', 4, 2 * 1152 - 2 + 2 * 96 - 1]);
    expect(out.watermarks).toEqual({ [REGIONAL]: iso(regionalGap), [NATIONAL]: iso(nationalGap) });

    const hb = JSON.parse(h.read(out.heartbeat).toString('utf8'));
    const completeness = Object.fromEntries(
      hb.slices.map((s: { key: string; completeness: unknown }) => [s.key, s.completeness]),
    );
    expect(completeness).toMatchObject({
      'regional-20260317T000000Z': {
        expected: 1152,
        received: 1150,
        nullMeasures: 0,
        duplicateRows: 0,
        incomplete: [
          {
            from: iso(regionalGap),
            to: iso(regionalGap + 2 * QUARTER),
            expected: 24,
            received: 22,
            reason: 'missing',
          },
        ],
        missingQuarterCount: 2,
        missingQuarters: [iso(regionalGap), iso(regionalGap + QUARTER)],
        schemaWarnings: [],
        firstMissing: iso(regionalGap),
      },
      'regional-20260318T000000Z': {
        expected: 1152,
        received: 1152,
        nullMeasures: 0,
        missingQuarterCount: 0,
        missingQuarters: [],
        schemaWarnings: [],
        firstMissing: null,
      },
      'national-20260317T000000Z': {
        expected: 96,
        received: 96,
        nullMeasures: 0,
        missingQuarterCount: 0,
        missingQuarters: [],
        schemaWarnings: [],
        firstMissing: null,
      },
      'national-20260318T000000Z': {
        expected: 96,
        received: 95,
        nullMeasures: 0,
        missingQuarterCount: 1,
        missingQuarters: [iso(nationalGap)],
        schemaWarnings: [],
        firstMissing: iso(nationalGap),
      },
    });
    // no schema drift from the stand-in's records; only the incomplete quarters are warned about
    expect(hb.warnings).toEqual([
      'regional-20260317T000000Z: 2 quarter(s) incomplete',
      'national-20260318T000000Z: 1 quarter(s) incomplete',
    ]);
    expect(hb.status).toBe('success');

    // the watermark stops at the first missing quarter, even though the later day landed
    expect(h.state(REGIONAL)?.watermark).toBe(iso(regionalGap));
    expect(h.state(NATIONAL)?.watermark).toBe(iso(nationalGap));

    // once the source fills the gap, a scheduled run re-reads from the watermark and moves it on
    h.odre.setGaps([]);
    await h.fireTimer();
    const slot = Math.floor(now / QUARTER) * QUARTER;
    const next = await h.wait(`eco2mix-${new Date(slot).toISOString().replace(/[-:]/g, '').slice(0, 13)}Z`);
    const input = JSON.parse(next.input!);
    expect([input.from, input.to]).toEqual([iso(regionalGap), iso(slot)]);
    expect(JSON.parse(next.output!).status).toBe('succeeded');
    expect(h.state(REGIONAL)?.watermark).toBe(iso(slot));
    expect(h.state(NATIONAL)?.watermark).toBe(iso(slot));
  });
});

/**
 * The stand-in serves the known schema only, so a small proxy in front of it adds a field to
 * every regional record and drops one from every national record, as a source change would.
 */
async function driftingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const upstream = await fetch(`${target}${req.url ?? '/'}`, { headers: { accept: 'application/json' } });
      let text = await upstream.text();
      if (upstream.status === 200 && (req.url ?? '').includes('/exports/json')) {
        const rows = JSON.parse(text) as Record<string, unknown>[];
        text = JSON.stringify(
          rows.map((r) => {
            if ('code_insee_region' in r) return { ...r, puissance_stockage_mw: 12 };
            const rest = { ...r };
            delete rest.taux_co2;
            return rest;
          }),
        );
      }
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(text);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('schema drift in the heartbeat', () => {
  let h: Harness;
  let proxy: Awaited<ReturnType<typeof driftingProxy>>;
  beforeAll(async () => {
    const odre = await startFakeOdre({ publishDelayMs: 0 });
    proxy = await driftingProxy(odre.url);
    h = await startHarness({ odreInstance: odre, env: { RTE_API_BASE_URL: proxy.url } });
  });
  afterAll(async () => {
    await h.stop();
    await proxy.close();
    await h.odre.close();
  });

  it('warns about an unexpected and a missing field, and lands the records as received', async () => {
    const started = await h.startRun();
    const rec = await h.wait(started.body.id as string);
    const out = JSON.parse(rec.output!);
    expect(out.status).toBe('succeeded');
    const hb = JSON.parse(h.read(out.heartbeat).toString('utf8'));
    const [regional, national] = hb.slices as { key: string; completeness: { schemaWarnings: string[] } }[];
    expect(regional!.completeness.schemaWarnings).toEqual(['unexpected field "puissance_stockage_mw"']);
    expect(national!.completeness.schemaWarnings).toEqual(['missing field "taux_co2"']);
    expect(hb.warnings).toEqual([
      `${regional!.key}: schema drift: unexpected field "puissance_stockage_mw"`,
      `${national!.key}: schema drift: missing field "taux_co2"`,
    ]);
    const file = h.files('rte/production').find((f) => f.includes('_regional_'))!;
    const rows = JSON.parse(h.read(file).toString('utf8')) as Record<string, unknown>[];
    expect(rows.every((r) => r.puissance_stockage_mw === 12)).toBe(true);
  });
});
