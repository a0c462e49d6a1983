/**
 * How long GET /api/ingestion/coverage takes for 400 days (issue 15): a synthetic lake holding a
 * scheduled heartbeat every 15 minutes for 410 days (as `writeHeartbeat` lays them out) and ten
 * backfills, read by the app's own coverage reader over the local lake.
 *
 *   npm run bench:coverage
 *
 * Prints the median of several answers for a healthy watermark (the normal case: only the
 * heartbeats after the watermark and the backfills are read), and for a watermark stalled at the
 * range's start, without day digests (every heartbeat of the range is read) and with them (one
 * digest per past day, as the 01:00Z runs write them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DAY_MS, DATASETS, QUARTER_MS } from '../../shared/constants';
import { digestPastDays } from '../../shared/coverage/digest';
import { readCoverage } from '../../shared/coverage/read';
import { createLocalLake } from '../../shared/lake/localLake';
import { heartbeatPath } from '../../shared/paths';
import { initialState } from '../../shared/state';
import { iso } from '../../shared/time';
import { median } from './stats';

const DAYS = 400;
const LAKE_DAYS = 410;
const REPS = 5;
const NOW = Date.parse('2026-11-27T06:22:41Z');

function heartbeat(slot: number, from: number, to: number, tag?: string): string {
  const slices = DATASETS.map((dataset) => ({
    key: `${dataset}-${iso(from)}`,
    dataset,
    window: { from: iso(from), to: iso(to) },
    attempts: 1,
    requests: 1,
    file: `rte/production/${new Date(slot).toISOString().slice(0, 10).replace(/-/g, '/')}/eco2mix_${dataset}${tag ? `_${tag}` : ''}.json`,
    completeness: {
      expected: 144,
      received: 144,
      nullMeasures: 0,
      missingQuarterCount: 0,
      missingQuarters: [],
      schemaWarnings: [],
      firstMissing: null,
    },
  }));
  return `${JSON.stringify({ job_id: `eco2mix-${slot}`, status: 'success', trigger: tag ? 'manual' : 'timer', slot: iso(slot), window: { from: iso(from), to: iso(to) }, slices, warnings: [], error_details: [] }, null, 2)}\n`;
}

function writeLake(dir: string): void {
  const root = path.join(dir, 'bronze');
  const put = (p: string, body: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), body);
  };
  const end = Math.floor(NOW / QUARTER_MS) * QUARTER_MS;
  for (let slot = end - LAKE_DAYS * DAY_MS; slot <= end; slot += QUARTER_MS) {
    put(heartbeatPath(slot), heartbeat(slot, slot - 3 * 3_600_000, slot));
  }
  for (let k = 0; k < 10; k++) {
    const slot = end - k * 30 * DAY_MS;
    put(heartbeatPath(slot, `bf${k}`), heartbeat(slot, slot - 40 * DAY_MS, slot - 39 * DAY_MS, `bf${k}`));
  }
}

async function time(
  label: string,
  watermark: string,
  lake: ReturnType<typeof createLocalLake>,
): Promise<number> {
  const states = DATASETS.map((d) => ({ ...initialState(d), watermark }));
  const toDay = Math.floor(NOW / DAY_MS) * DAY_MS + DAY_MS;
  const range = { fromDay: toDay - DAYS * DAY_MS, toDay, datasets: DATASETS };
  const samples: number[] = [];
  let landed = 0;
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const result = await readCoverage(lake, states, range, NOW);
    samples.push(performance.now() - t0);
    landed = result.reduce((n, c) => n + c.totals.landed, 0);
  }
  const ms = median(samples);
  process.stdout.write(
    `${label}: median ${ms.toFixed(0)} ms of ${REPS} (min ${Math.min(...samples).toFixed(0)}, max ${Math.max(...samples).toFixed(0)}), ${landed} quarters landed\n`,
  );
  return ms;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bench-coverage-'));
  try {
    const t0 = performance.now();
    writeLake(dir);
    const files = (LAKE_DAYS * 96 + 1 + 10).toLocaleString('en');
    process.stdout.write(
      `lake: ${files} heartbeats over ${LAKE_DAYS} days written in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    const lake = createLocalLake(dir, 'bronze');
    const healthy = await time(
      `coverage ${DAYS} days, watermark current`,
      iso(Math.floor(NOW / QUARTER_MS) * QUARTER_MS),
      lake,
    );
    const stalled = await time(
      `coverage ${DAYS} days, watermark stalled ${DAYS} days ago`,
      iso(NOW - DAYS * DAY_MS),
      lake,
    );
    const t1 = performance.now();
    // one digest per past day, as the 01:00Z runs' audits write them
    await digestPastDays(lake, Math.floor(NOW / DAY_MS) * DAY_MS, () => undefined, { days: LAKE_DAYS });
    process.stdout.write(
      `day digests: ${LAKE_DAYS} written in ${((performance.now() - t1) / 1000).toFixed(1)} s\n`,
    );
    const digested = await time(
      `coverage ${DAYS} days, watermark stalled ${DAYS} days ago, with day digests`,
      iso(NOW - DAYS * DAY_MS),
      lake,
    );
    process.stdout.write(
      `coverage_400d_ms: ${healthy.toFixed(0)}\ncoverage_400d_stalled_no_digest_ms: ${stalled.toFixed(0)}\ncoverage_400d_stalled_ms: ${digested.toFixed(0)}\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
