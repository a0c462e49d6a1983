/**
 * The day digest: what the scheduled heartbeats of one UTC day say about coverage, merged (best
 * news per quarter) into a few ranges in one small file. The coverage reads it instead of the
 * day's 96 heartbeats, so a long range whose watermark stalled costs one read per day instead of
 * one per run. A digest is used only while it still matches the day's listing (same number of
 * scheduled heartbeats, same last one); otherwise the heartbeats are read as before.
 */
import { COVERAGE_DIGEST_DIR, DAY_MS, QUARTER_MS } from '../constants';
import { ALL_DATASETS, type DatasetId } from '../datasets';
import { errorMessage } from '../errors';
import { assertLakePath, type Lake } from '../lake/lake';
import { iso } from '../time';
import type { AuditInput } from '../types';
import { listHeartbeats, readAll, type HeartbeatFile } from './heartbeats';
import { RANK_LANDED, RANK_MISSING, RANK_UNPUBLISHED, rankOf, type SliceObservation } from './model';
import { observationsOf } from './sources';

type Code = 'L' | 'U' | 'M';

export interface DayDigest {
  day: string;
  heartbeats: number;
  last: string;
  datasets: Partial<Record<DatasetId, { firstStored: string | null; ranges: [string, string, Code][] }>>;
}

const CODE: Record<number, Code> = { [RANK_LANDED]: 'L', [RANK_UNPUBLISHED]: 'U', [RANK_MISSING]: 'M' };

export function digestPath(dayMs: number): string {
  const ymd = new Date(dayMs).toISOString().slice(0, 10).replace(/-/g, '/');
  return assertLakePath(`${COVERAGE_DIGEST_DIR}/${ymd}.json`);
}

/** The day's scheduled heartbeats, oldest run first, merged per dataset. */
export function buildDigest(dayMs: number, files: readonly HeartbeatFile[], bodies: Map<string, unknown>): DayDigest {
  const wanted = new Set<DatasetId>(ALL_DATASETS);
  const ranks = new Map<DatasetId, Map<number, number>>();
  const firstStored = new Map<DatasetId, number>();
  for (const f of files) {
    for (const { dataset, observation: o } of observationsOf(bodies.get(f.path), wanted)) {
      if (o.stored && !firstStored.has(dataset)) firstStored.set(dataset, o.from);
      const byQuarter = ranks.get(dataset) ?? ranks.set(dataset, new Map()).get(dataset)!;
      for (let q = Math.ceil(o.from / QUARTER_MS) * QUARTER_MS; q < o.to; q += QUARTER_MS) {
        const r = rankOf(o, q);
        if ((byQuarter.get(q) ?? 0) < r) byQuarter.set(q, r);
      }
    }
  }
  const datasets: DayDigest['datasets'] = {};
  for (const [dataset, byQuarter] of ranks) {
    const ranges: [string, string, Code][] = [];
    let open: [number, number, number] | null = null;
    for (const q of [...byQuarter.keys()].sort((a, b) => a - b)) {
      const r = byQuarter.get(q)!;
      if (open && open[1] === q && open[2] === r) open[1] = q + QUARTER_MS;
      else {
        if (open) ranges.push([iso(open[0]), iso(open[1]), CODE[open[2]]!]);
        open = [q, q + QUARTER_MS, r];
      }
    }
    if (open) ranges.push([iso(open[0]), iso(open[1]), CODE[open[2]]!]);
    const first = firstStored.get(dataset);
    datasets[dataset] = { firstStored: first === undefined ? null : iso(first), ranges };
  }
  const last = files[files.length - 1];
  return { day: iso(dayMs).slice(0, 10), heartbeats: files.length, last: last?.path ?? '', datasets };
}

/** The digest as observations the coverage model merges like any heartbeat's. */
export function digestObservations(
  d: DayDigest,
  dataset: DatasetId,
): { observations: SliceObservation[]; firstStored: number | null } {
  const entry = d.datasets[dataset];
  if (!entry) return { observations: [], firstStored: null };
  const observations = entry.ranges.map(([from, to, code]): SliceObservation => {
    const f = Date.parse(from);
    const t = Date.parse(to);
    const unpublished = new Set<number>();
    if (code === 'U') for (let q = f; q < t; q += QUARTER_MS) unpublished.add(q);
    return { from: f, to: t, stored: code !== 'M', missing: new Set(), unpublished, unknownAfter: null };
  });
  return { observations, firstStored: entry.firstStored === null ? null : Date.parse(entry.firstStored) };
}

/** A digest, if it is one and still describes exactly these scheduled heartbeats of its day. */
export function matchingDigest(body: unknown, scheduled: readonly HeartbeatFile[]): DayDigest | null {
  const d = body as Partial<DayDigest> | null;
  if (!d || typeof d.datasets !== 'object' || d.datasets === null) return null;
  if (d.heartbeats !== scheduled.length || d.last !== scheduled[scheduled.length - 1]?.path) return null;
  return d as DayDigest;
}

/** Digests are written once their day is this long over: the day's runs have finished by then. */
const DIGEST_AFTER_MS = 3_600_000;
const DIGEST_LOOKBACK_DAYS = 7;

/** The UTC day whose past days the audit of this run digests: the scheduled run of 01:00Z only. */
export function digestDay(input: Pick<AuditInput, 'trigger' | 'slot'>): number | null {
  const slot = Date.parse(input.slot);
  return input.trigger === 'timer' && slot % DAY_MS === DIGEST_AFTER_MS ? slot - DIGEST_AFTER_MS : null;
}

/**
 * Run by the audit of the first scheduled run an hour after UTC midnight: digests each of the
 * last seven days that has scheduled heartbeats and no digest yet (a host that was down then
 * catches up). Idempotent: a re-executed audit finds the digests in place.
 */
export async function digestPastDays(
  lake: Lake,
  nowDayMs: number,
  log: (line: string) => void,
  options: { days?: number } = {},
): Promise<number> {
  let written = 0;
  for (let k = options.days ?? DIGEST_LOOKBACK_DAYS; k >= 1; k--) {
    const day = nowDayMs - k * DAY_MS;
    const path = digestPath(day);
    if (await lake.stat(path)) continue;
    const scheduled = (await listHeartbeats(lake, day, day + DAY_MS - 1)).filter((f) => !f.manual);
    if (scheduled.length === 0) continue;
    const digest = buildDigest(day, scheduled, await readAll(lake, scheduled.map((f) => f.path)));
    await lake.write(path, Buffer.from(`${JSON.stringify(digest)}\n`), {
      contentType: 'application/json',
      metadata: { heartbeats: String(scheduled.length) },
    });
    written++;
  }
  if (written > 0) log(`coverage digest written for ${written} past day(s)`);
  return written;
}

/**
 * The audit's hook: digests are an index, so a failure to write one is logged and the run goes
 * on (the coverage then reads that day's heartbeats).
 */
export async function digestIfDue(lake: Lake, input: AuditInput, log: (line: string) => void): Promise<void> {
  const day = digestDay(input);
  if (day === null) return;
  try {
    await digestPastDays(lake, day, log);
  } catch (err) {
    log(`coverage digest not written: ${errorMessage(err)}`);
  }
}
