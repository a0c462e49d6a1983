/**
 * A backfill longer than one chunk, run by the real app in the embedded runtime (lane
 * sub-orchestrations): what it tells the state entity's gap ledger, and a chunk whose every
 * slice fails.
 */
import { FAKE_DATE_ONLY, startHarness, type Harness } from '../e2e/harness';
import type { DatasetState } from '../../shared/types';
import { iso } from '../../shared/time';

const QUARTER = 15 * 60_000;
const HOUR = 3_600_000;
const DAY_MS = 86_400_000;
const REGIONAL = 'eco2mix-regional-tr';
const NATIONAL = 'eco2mix-national-tr';
const now = Date.parse('2026-03-20T12:07:00Z');
const d0 = Date.parse('2026-03-17T00:00:00Z');
// three days of both datasets: six slices, more than one chunk
const window = { from: iso(d0), to: iso(d0 + 3 * DAY_MS) };

async function backfill(h: Harness): Promise<Record<string, unknown>> {
  const started = await h.startRun(window);
  expect(started.status).toBe(202);
  const id = started.body.id as string;
  const rec = await h.wait(id);
  const children = h.host.engine.listInstances({ instanceIdPrefix: `${id}-chunk-` }).instances;
  expect(children.length).toBeGreaterThan(1);
  return { ...(JSON.parse(rec.output ?? rec.customStatus ?? '{}') as object), runtimeStatus: rec.status };
}

describe('a chunked backfill and the gap ledger', () => {
  let h: Harness;
  const regionalGap = d0 + DAY_MS + 6 * HOUR;

  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now });
    h = await startHarness({
      now,
      odre: {
        publishDelayMs: 0,
        gaps: [
          { dataset: REGIONAL, from: iso(regionalGap), to: iso(regionalGap + 2 * QUARTER), regions: ['32'] },
        ],
      },
    });
  });
  afterAll(async () => {
    await h.stop();
    jest.useRealTimers();
  });

  it('reports the windows its chunks checked, so the missing quarters hold the watermark as in an inline run', async () => {
    const out = await backfill(h);
    expect([out.runtimeStatus, out.status, out.files]).toEqual(['Completed', 'succeeded', 6]);
    expect(out.watermarks).toEqual({ [REGIONAL]: iso(regionalGap), [NATIONAL]: window.to });

    const regional = h.state(REGIONAL) as unknown as DatasetState;
    expect(regional.incomplete.map((r) => [r.from, r.to, r.reason, r.expected, r.received])).toEqual([
      [iso(regionalGap), iso(regionalGap + 2 * QUARTER), 'missing', 24, 22],
    ]);
    expect(regional.watermark).toBe(iso(regionalGap));
    const national = h.state(NATIONAL) as unknown as DatasetState;
    expect([national.incomplete, national.watermark]).toEqual([[], window.to]);
  });
});

describe('a chunked backfill whose chunks of one dataset all fail', () => {
  let h: Harness;

  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now });
    h = await startHarness({
      now,
      odre: {
        publishDelayMs: 0,
        faults: [{ kind: 404, dataset: NATIONAL, endpoint: 'exports', times: 'forever' }],
      },
    });
  });
  afterAll(async () => {
    await h.stop();
    jest.useRealTimers();
  });

  it('completes as partial: the heartbeat lists every failed slice and only the other dataset moves on', async () => {
    const out = await backfill(h);
    expect([out.runtimeStatus, out.status, out.files, out.records]).toEqual([
      'Completed',
      'partial',
      3,
      3 * 1152,
    ]);
    const failed = (out.failures as { dataset: string; window: { from: string }; code: string }[]).map(
      (f) => [f.dataset, f.window.from, f.code],
    );
    expect(failed).toEqual([0, 1, 2].map((d) => [NATIONAL, iso(d0 + d * DAY_MS), 'RTE_HTTP_404']));
    expect(out.watermarks).toEqual({ [REGIONAL]: window.to });

    const hb = JSON.parse(h.read(out.heartbeat as string).toString('utf8')) as {
      status: string;
      slices: { dataset: string; file: string | null }[];
      error_details: { dataset: string; window: { from: string } }[];
    };
    expect(hb.status).toBe('partial');
    expect(hb.slices.map((s) => [s.dataset, s.file !== null])).toEqual([
      ...[0, 1, 2].map(() => [NATIONAL, false]),
      ...[0, 1, 2].map(() => [REGIONAL, true]),
    ]);
    expect(hb.error_details.map((f) => f.window.from)).toEqual([0, 1, 2].map((d) => iso(d0 + d * DAY_MS)));

    expect((h.state(NATIONAL) as unknown as DatasetState).watermark).toBeNull();
    expect((h.state(REGIONAL) as unknown as DatasetState).watermark).toBe(window.to);
    expect((h.state(NATIONAL) as unknown as DatasetState).lastRunStatus).toBe('partial');
  });
});
