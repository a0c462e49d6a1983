/**
 * `unpublished` on the coverage API from a real run: the stand-in's feed lag leaves the last
 * quarters' values null, the heartbeat's completeness says so, and the next run, once the values
 * are out, turns them landed.
 */
import { FAKE_DATE_ONLY, runScheduledSlot, startHarness, type Harness } from '../../e2e/harness';

const SLOT = Date.parse('2026-11-10T10:00:00Z');
const HOUR = 3_600_000;
const QUARTER = 900_000;

interface Day {
  date: string;
  quarters: string;
  counts: Record<string, number>;
}

const index = (iso: string): number => (Date.parse(iso) % 86_400_000) / QUARTER;

describe('coverage: rows there, values still null', () => {
  let h: Harness;
  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now: SLOT - HOUR });
    h = await startHarness({ now: SLOT - HOUR, odre: { publishDelayMs: HOUR } });
  });
  afterAll(async () => {
    await h.stop();
    jest.useRealTimers();
  });

  const day = async (dataset: string): Promise<Day> => {
    const res = await h.get(`/api/ingestion/coverage?from=2026-11-10&to=2026-11-10&dataset=${dataset}`);
    expect(res.status).toBe(200);
    const [d] = res.body.datasets as { days: Day[] }[];
    return d!.days[0]!;
  };

  it('shows the lagging quarters unpublished, then landed once their values are out', async () => {
    // one minute past 10:00 with a one-hour lag: 09:00-09:45 are served with null measures
    await runScheduledSlot(h, SLOT);
    const first = await day('eco2mix-regional-tr');
    expect(first.quarters.slice(index('2026-11-10T09:00:00Z'), index('2026-11-10T10:00:00Z'))).toBe('UUUU');
    expect(first.quarters[index('2026-11-10T08:45:00Z')]).toBe('L');
    expect(first.counts.unpublished).toBe(4);
    expect((await day('eco2mix-national-tr')).counts.unpublished).toBe(4);

    h.odre.setLag(0);
    await runScheduledSlot(h, SLOT + QUARTER);
    const second = await day('eco2mix-regional-tr');
    expect(second.quarters.slice(index('2026-11-10T09:00:00Z'), index('2026-11-10T10:15:00Z'))).toBe('LLLLL');
    expect(second.counts.unpublished).toBe(0);
  });
});
