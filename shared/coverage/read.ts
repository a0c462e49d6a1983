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
  manual: boolean;
}

const NAME = /(\d{4})\/(\d{2})\/(\d{2})\/heartbeat_\d{8}T\d{6}Z(_[A-Za-z0-9._-]+)?\.json$/;
const READ_CONCURRENCY = 16;
/** Reading scheduled heartbeats to find where their chain starts stops after this many. */
const CHAIN_PROBE_LIMIT = 96;
const DAYS_LISTED_ONE_BY_ONE = 40;

function parseName(path: string): HeartbeatFile | null {
  const m = NAME.exec(path);
  if (!m) return null;
  const [, y, mo, d, tag] = m;
  return { path, day: Date.UTC(Number(y), Number(mo) - 1, Number(d)), manual: tag !== undefined };
}

/**
 * Heartbeat files of the partitions from `fromDay` to `untilMs`'s day, oldest first (a partition's
 * names sort by run slot, so the listing's order is the runs'): one listing per day over a short
 * span, one per month over a long one.
 */
export async function listHeartbeats(lake: Lake, fromDay: number, untilMs: number): Promise<HeartbeatFile[]> {
  const dirs: string[] = [];
  const perDay = untilMs - fromDay <= DAYS_LISTED_ONE_BY_ONE * DAY_MS;
  const cursor = new Date(fromDay);
  if (!perDay) cursor.setUTCDate(1);
  while (cursor.getTime() <= untilMs) {
    const ymd = cursor.toISOString().slice(0, 10).replace(/-/g, '/');
    dirs.push(`${AUDIT_DIR}/${perDay ? ymd : ymd.slice(0, 7)}`);
    if (perDay) cursor.setUTCDate(cursor.getUTCDate() + 1);
    else cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  const listed = await Promise.all(dirs.map((d) => lake.list(d)));
  return listed
    .flat()
    .map(parseName)
    .filter((h): h is HeartbeatFile => h !== null && h.day >= fromDay);
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
  const watermarks = range.datasets.map((d) => stateOf.get(d)?.watermark ?? null);
  const lowestDay = watermarks.some((w) => w === null)
    ? -Infinity
    : Math.floor(Math.min(...watermarks.map((w) => Date.parse(w ?? ''))) / DAY_MS) * DAY_MS;
  // A scheduled run the day before the range: the chain covers the range's start, so below the
  // watermark nothing can change and only partitions from the watermark's day need listing.
  const probeDay = range.fromDay - DAY_MS;
  const dayBefore = await listHeartbeats(lake, probeDay, range.fromDay - 1);
  const chainBeforeRange = dayBefore.some((f) => !f.manual);
  const files =
    chainBeforeRange && lowestDay > range.fromDay
      ? await listHeartbeats(lake, lowestDay, nowMs)
      : [...dayBefore, ...(await listHeartbeats(lake, range.fromDay, nowMs))];
  const scheduled = files.filter((f) => !f.manual);
  const probe = chainBeforeRange ? [] : scheduled.slice(0, CHAIN_PROBE_LIMIT);
  const wantedPaths = new Set<string>([
    ...files.filter((f) => f.manual && f.day >= range.fromDay).map((f) => f.path),
    ...scheduled.filter((f) => f.day >= lowestDay).map((f) => f.path),
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
