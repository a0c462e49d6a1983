import { DAY_MS } from '../constants';
import type { DatasetId } from '../datasets';
import type { Lake } from '../lake/lake';
import type { DatasetState } from '../types';
import { digestObservations, digestPath, matchingDigest, type DayDigest } from './digest';
import { listHeartbeats, readAll, type HeartbeatFile } from './heartbeats';
import { computeCoverage, type DatasetCoverage, type SliceObservation } from './model';
import { gapsOf, observationsOf } from './sources';

export interface CoverageRange {
  /** UTC midnights, [fromDay, toDay). */
  fromDay: number;
  toDay: number;
  datasets: readonly DatasetId[];
}

/** Reading scheduled heartbeats to find where their chain starts stops after this many. */
const CHAIN_PROBE_LIMIT = 96;
/** A day's digest is read instead of its heartbeats when at least this many of them are wanted. */
const DIGEST_MIN_HEARTBEATS = 8;

/**
 * The days whose digest still matches their scheduled heartbeats, among those where reading the
 * digest saves reads; their heartbeats are then left out of `wantedPaths`.
 */
async function usableDigests(
  lake: Lake,
  scheduled: readonly HeartbeatFile[],
  wantedPaths: Set<string>,
): Promise<Map<number, DayDigest>> {
  const byDay = new Map<number, HeartbeatFile[]>();
  for (const f of scheduled) (byDay.get(f.day) ?? byDay.set(f.day, []).get(f.day))?.push(f);
  const candidates = [...byDay].filter(
    ([, fs]) => fs.filter((f) => wantedPaths.has(f.path)).length >= DIGEST_MIN_HEARTBEATS,
  );
  const bodies = await readAll(lake, candidates.map(([day]) => digestPath(day)));
  const out = new Map<number, DayDigest>();
  for (const [day, fs] of candidates) {
    const digest = matchingDigest(bodies.get(digestPath(day)), fs);
    if (!digest) continue;
    out.set(day, digest);
    for (const f of fs) wantedPaths.delete(f.path);
  }
  return out;
}

/**
 * Coverage from durable state and heartbeats, never the data files. Below a dataset's watermark,
 * the scheduled runs landed every quarter since their chain started (the watermark only moves
 * over a contiguous landed prefix, and over the gap ledger's gaps), so only heartbeats of runs
 * after the lowest watermark are read, plus manual runs (backfills) of the range, plus the first
 * scheduled heartbeats when the chain starts inside the range. Listing costs one call per month;
 * a past day with a day digest costs one read instead of one per run.
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
  const digests = await usableDigests(lake, scheduled, wantedPaths);
  const bodies = await readAll(lake, [...wantedPaths]);
  const wanted = new Set(range.datasets);
  const observations = new Map<DatasetId, SliceObservation[]>();
  const chainStart = new Map<DatasetId, number>();
  const digested = new Set<number>();
  for (const f of files) {
    const digest = f.manual ? undefined : digests.get(f.day);
    if (digest) {
      if (digested.has(f.day)) continue;
      digested.add(f.day);
      for (const dataset of range.datasets) {
        const d = digestObservations(digest, dataset);
        (observations.get(dataset) ?? observations.set(dataset, []).get(dataset))?.push(...d.observations);
        if (d.firstStored !== null && !chainStart.has(dataset)) chainStart.set(dataset, d.firstStored);
      }
      continue;
    }
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
