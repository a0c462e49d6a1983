/**
 * The day digest, from real scheduled runs: the 01:00Z run's audit digests the day before, the
 * coverage reader then reads one digest instead of that day's heartbeats and answers exactly as
 * from the heartbeats, and a digest that no longer matches its day is ignored.
 */
import * as fs from 'node:fs';
import { readCoverage } from '../../../shared/coverage/read';
import { DATASETS } from '../../../shared/datasets';
import { createLocalLake } from '../../../shared/lake/localLake';
import type { Lake } from '../../../shared/lake/lake';
import type { DatasetState } from '../../../shared/types';
import { FAKE_DATE_ONLY, runScheduledSlot, startHarness, type Harness } from '../../e2e/harness';

const DAY = Date.parse('2026-11-09T00:00:00Z');
const FIRST = Date.parse('2026-11-09T20:00:00Z');
const LAST = Date.parse('2026-11-10T01:00:00Z');
const HOLE = '2026-11-09T21:30:00Z';
const QUARTER = 900_000;
const RANGE = { fromDay: DAY, toDay: DAY + 2 * 86_400_000, datasets: DATASETS };

/** The real local lake, counting what it reads. */
function countingLake(dir: string): Lake & { reads: string[] } {
  const lake = createLocalLake(dir, 'bronze');
  const reads: string[] = [];
  return Object.assign(Object.create(lake) as Lake, {
    reads,
    read: (p: string) => {
      reads.push(p);
      return lake.read(p);
    },
  });
}

describe('coverage day digests', () => {
  let h: Harness;
  let states: DatasetState[];
  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now: FIRST });
    h = await startHarness({
      now: FIRST,
      odre: { publishDelayMs: 0, gaps: [{ dataset: 'eco2mix-regional-tr', from: HOLE, regions: ['11'] }] },
    });
    for (let slot = FIRST; slot <= LAST; slot += QUARTER) await runScheduledSlot(h, slot);
    states = DATASETS.map((d) => h.state(d) as unknown as DatasetState);
  });
  afterAll(async () => {
    await h.stop();
    jest.useRealTimers();
  });

  it("the 01:00Z run writes the day before's digest, merged per dataset", () => {
    expect(h.files('audit/coverage/')).toEqual(['audit/coverage/2026/11/09.json']);
    const digest = JSON.parse(h.read('audit/coverage/2026/11/09.json').toString('utf8'));
    expect(digest).toMatchObject({ day: '2026-11-09', heartbeats: 16 });
    expect(digest.last).toBe('audit/ingestion/2026/11/09/heartbeat_20261109T234500Z.json');
    const regional = digest.datasets['eco2mix-regional-tr'].ranges as [string, string, string][];
    expect(regional.find(([from]) => from === HOLE)).toEqual([HOLE, '2026-11-09T21:45:00Z', 'M']);
    expect(regional.every(([from, , code]) => code === 'L' || from === HOLE)).toBe(true);
  });

  it('answers from the digest exactly as from the heartbeats, with one read for that day', async () => {
    const withDigest = countingLake(h.lakeDir);
    const fromDigest = await readCoverage(withDigest, states, RANGE, LAST + 5 * 60_000);
    const readDay = withDigest.reads.filter((p) => p.startsWith('audit/ingestion/2026/11/09/'));
    expect(readDay).toEqual([]);
    expect(withDigest.reads).toContain('audit/coverage/2026/11/09.json');

    const plain = countingLake(h.lakeDir);
    const digestFile = `${h.lakeDir}/bronze/audit/coverage/2026/11/09.json`;
    const saved = fs.readFileSync(digestFile);
    fs.rmSync(digestFile);
    try {
      const fromHeartbeats = await readCoverage(plain, states, RANGE, LAST + 5 * 60_000);
      expect(plain.reads.filter((p) => p.startsWith('audit/ingestion/2026/11/09/'))).toHaveLength(16);
      expect(fromDigest).toEqual(fromHeartbeats);
      const day = fromDigest[0]!.days[0]!;
      expect(day.quarters[(Date.parse(HOLE) - DAY) / QUARTER]).not.toBe('L');
      // the first run (20:00) reads its 3-hour lookback: 17:00-24:00 is 28 quarters, less the hole
      expect(day.counts.landed).toBe(27);
    } finally {
      fs.writeFileSync(digestFile, saved);
    }
  });

  it('ignores a digest that no longer matches its day (a heartbeat written after it)', async () => {
    const dir = `${h.lakeDir}/bronze/audit/ingestion/2026/11/09`;
    const late = `${dir}/heartbeat_20261109T235900Z.json`;
    fs.copyFileSync(`${dir}/heartbeat_20261109T234500Z.json`, late);
    try {
      const lake = countingLake(h.lakeDir);
      await readCoverage(lake, states, RANGE, LAST + 5 * 60_000);
      expect(lake.reads.filter((p) => p.startsWith('audit/ingestion/2026/11/09/'))).toHaveLength(17);
    } finally {
      fs.rmSync(late);
    }
  });
});
