import { AUDIT_DIR, DAY_MS } from '../constants';
import type { DatasetId } from '../datasets';
import type { Lake } from '../lake/lake';
import type { DatasetState } from '../types';
import { computeCoverage, type DatasetCoverage, type SliceObservation } from './model';
import { gapsOf, observationsOf } from './sources';

export interface CoverageRange {
  /** UTC midnights, [fromDay, toDay). */
  fromDay: number;
  toDay: number;
  datasets: readonly DatasetId[];
}

interface HeartbeatFile {
  path: string;
  /** Midnight of the partition (the run slot's UTC day). */
  day: number;
  slotMs: number;
  manual: boolean;
}

const NAME = /^(?:.*\/)?(\d{4})\/(\d{2})\/(\d{2})\/heartbeat_(\d{8}T\d{6}Z)(_[A-Za-z0-9._-]+)?\.json$/;
const READ_CONCURRENCY = 16;
/** Reading scheduled heartbeats to find where their chain starts stops after this many. */
const CHAIN_PROBE_LIMIT = 96;

function parseName(path: string): HeartbeatFile | null {
  const m = NAME.exec(path);
  if (!m) return null;
  const [, y, mo, d, stamp, tag] = m;
  const s = stamp ?? '';
  const slotMs = Date.parse(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`,
  );
  return { path, day: Date.parse(`${y}-${mo}-${d}T00:00:00Z`), slotMs, manual: tag !== undefined };
}

/** Heartbeat files of every partition from `fromDay` to today, oldest first: one listing per month. */
export async function listHeartbeats(lake: Lake, fromDay: number, nowMs: number): Promise<HeartbeatFile[]> {
  const months: string[] = [];
  const cursor = new Date(fromDay);
  cursor.setUTCDate(1);
  while (cursor.getTime() <= nowMs) {
    months.push(`${AUDIT_DIR}/${cursor.toISOString().slice(0, 7).replace('-', '/')}`);
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  const listed = await Promise.all(months.map((m) => lake.list(m)));
  return listed
    .flat()
    .map(parseName)
    .filter((h): h is HeartbeatFile => h !== null && h.day >= fromDay)
    .sort((a, b) => a.slotMs - b.slotMs || a.path.localeCompare(b.path));
}

async function readAll(lake: Lake, paths: readonly string[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const p = paths[next++] as string;
      const body = await lake.read(p);
      if (!body) continue;
      try {
        out.set(p, JSON.parse(body.toString('utf8')) as unknown);
      } catch {
        // a heartbeat that is not JSON says nothing about coverage
      }
    }
  };
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
  return out;
}

/**
 * Coverage from durable state and heartbeats, never the data files. Below a dataset's watermark,
 * the scheduled runs landed every quarter since their chain started (the watermark only moves
 * over a contiguous landed prefix, and over the gap ledger's gaps), so only heartbeats of runs
 * after the lowest watermark are read, plus manual runs (backfills) of the range, plus the first
 * scheduled heartbeats when the chain starts inside the range. Listing costs one call per month.
 */
export async function readCoverage(
  lake: Lake,
  states: readonly DatasetState[],
  range: CoverageRange,
  nowMs: number,
): Promise<DatasetCoverage[]> {
  const stateOf = new Map(states.map((s) => [s.dataset, s]));
  const files = await listHeartbeats(lake, range.fromDay - DAY_MS, nowMs);
  const scheduled = files.filter((f) => !f.manual);
  const watermarks = range.datasets.map((d) => stateOf.get(d)?.watermark ?? null);
  const lowest = watermarks.some((w) => w === null)
    ? -Infinity
    : Math.min(...watermarks.map((w) => Date.parse(w ?? '')));
  const chainBeforeRange = (scheduled[0]?.day ?? Infinity) < range.fromDay;
  const probe = chainBeforeRange ? [] : scheduled.slice(0, CHAIN_PROBE_LIMIT);
  const wantedPaths = new Set<string>([
    ...files.filter((f) => f.manual && f.day >= range.fromDay).map((f) => f.path),
    ...scheduled.filter((f) => f.day >= Math.floor(lowest / DAY_MS) * DAY_MS).map((f) => f.path),
    ...probe.map((f) => f.path),
  ]);
  const bodies = await readAll(lake, [...wantedPaths]);
  const wanted = new Set(range.datasets);
  const observations = new Map<DatasetId, SliceObservation[]>();
  const chainStart = new Map<DatasetId, number>();
  for (const f of files) {
    const body = bodies.get(f.path);
    if (body === undefined) continue;
    for (const { dataset, observation } of observationsOf(body, wanted)) {
      (observations.get(dataset) ?? observations.set(dataset, []).get(dataset))?.push(observation);
      if (!f.manual && observation.stored && !chainStart.has(dataset)) chainStart.set(dataset, observation.from);
    }
  }
  return range.datasets.map((dataset) => {
    const state = stateOf.get(dataset);
    return computeCoverage({
      dataset,
      fromDay: range.fromDay,
      toDay: range.toDay,
      nowMs,
      watermark: state?.watermark ?? null,
      chainStart: chainBeforeRange ? range.fromDay : (chainStart.get(dataset) ?? null),
      gaps: state ? gapsOf(state) : [],
      observations: observations.get(dataset) ?? [],
    });
  });
}
