import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCoverage } from '../../../shared/coverage/read';
import { createLocalLake } from '../../../shared/lake/localLake';
import type { Lake } from '../../../shared/lake/lake';
import { heartbeatPath } from '../../../shared/paths';
import { initialState } from '../../../shared/state';
import { iso } from '../../../shared/time';

const DAY = 86_400_000;
const Q = 900_000;
const D0 = Date.parse('2026-10-01T00:00:00Z');
const NOW = D0 + 10 * DAY + 6 * 3_600_000;
const DS = 'eco2mix-national-tr' as const;
/** The source never serves this quarter: every run that reads it finds it missing. */
const HOLE = D0 + 10 * DAY + 4 * 3_600_000 + 3 * Q;

function hb(from: number, to: number, missing: string[] = []): Buffer {
  const slices = [
    {
      dataset: DS,
      window: { from: iso(from), to: iso(to) },
      file: 'rte/production/x.json',
      completeness: { missingQuarterCount: missing.length, missingQuarters: missing },
    },
  ];
  return Buffer.from(JSON.stringify({ slices }));
}

describe('readCoverage over a local lake', () => {
  let lake: Lake;
  const reads: string[] = [];
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-cov-'));
    const real = createLocalLake(dir, 'bronze');
    const opts = { contentType: 'application/json', metadata: {} };
    // a scheduled run every hour since D0, each reading the three hours before its slot
    for (let slot = D0 + 3 * 3_600_000; slot <= NOW; slot += 3_600_000) {
      const hole = HOLE >= slot - 3 * 3_600_000 && HOLE < slot ? [iso(HOLE)] : [];
      await real.write(heartbeatPath(slot), hb(slot - 3 * 3_600_000, slot, hole), opts);
    }
    lake = {
      ...real,
      read: (p: string) => {
        reads.push(p);
        return real.read(p);
      },
    };
  });

  it('reads only heartbeats from the watermark on when the chain began before the range', async () => {
    const watermark = iso(D0 + 10 * DAY + 4 * 3_600_000 + 3 * Q);
    const state = { ...initialState(DS), watermark };
    reads.length = 0;
    const [c] = await readCoverage(lake, [state], { fromDay: D0 + 5 * DAY, toDay: D0 + 11 * DAY, datasets: [DS] }, NOW);
    expect(reads.length).toBeLessThanOrEqual(8);
    expect(c!.days.slice(0, 5).every((d) => d.counts.landed === 96)).toBe(true);
    const last = c!.days[5]!;
    expect(last.quarters.slice(0, 24)).toBe(`${'L'.repeat(19)}M${'L'.repeat(4)}`);
    expect(last.counts).toMatchObject({ landed: 23, missing: 1, 'not due': 72 });
  });

  it('finds where the chain starts when it starts inside the range', async () => {
    const state = { ...initialState(DS), watermark: iso(NOW) };
    const [c] = await readCoverage(lake, [state], { fromDay: D0 - DAY, toDay: D0 + DAY, datasets: [DS] }, NOW);
    expect(c!.days[0]!.counts.missing).toBe(96);
    expect(c!.days[1]!.counts.landed).toBe(96);
  });
});
