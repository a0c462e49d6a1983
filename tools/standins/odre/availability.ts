/**
 * Which rows exist at the server's now: the range each dataset holds (release start, end of day),
 * declared gaps, the clock-change quirks, and when values are published (lag, feed stalls).
 */
import { datasetSpec, type DatasetId } from '../../../shared/datasets';
import { REGIONS } from './regions';
import { GENERATORS } from './rows';
import type { Slot } from './rows/types';
import { inAutumnFirstPass, inSpringGhostHour, parisMidnightAfter, parisMonthStart, toMs } from './time';

/** A declared hole in the data: instants in [from, to) are absent (for some regions, or all). */
export interface GapSpec {
  dataset?: DatasetId;
  from: string | number | Date;
  /** Defaults to one quarter after `from`. */
  to?: string | number | Date;
  /** Region codes; all regions when omitted. Ignored for datasets without a row key. */
  regions?: string[];
}

/** A stalled feed: while the clock is in [from, to), no value newer than `from - lag` is published. */
export interface StallSpec {
  dataset?: DatasetId;
  from: string | number | Date;
  to: string | number | Date;
}

export interface DataOptions {
  /** The server's clock, epoch ms. */
  now: number;
  gaps?: readonly GapSpec[];
  /** First instant of the real-time datasets when no release start is set. Defaults to 2025-01-01 00:00 Paris. */
  dataStart?: number;
  /** The real-time datasets hold data from this 1st of a month (Paris); the historical ones up to it. */
  releaseStart?: number;
  /** Feed lag: an instant carries null measures until this long after its end. Defaults to one hour. */
  publishDelayMs?: number;
  stalls?: readonly StallSpec[];
  /** Spring change: the Paris hour 02:00 that does not exist, served at 01:00-01:45Z. Default on. */
  springGhostRows?: boolean;
  /** Autumn change: the first pass of the Paris hour 02:00 (00:00-00:45Z) is missing. Default on. */
  autumnHole?: boolean;
  /** Rows before this instant carry "ND" and "-". Defaults to 2020-01-01. */
  notAvailableBefore?: number;
}

export const DEFAULT_DATA_START = Date.parse('2024-12-31T23:00:00Z');
export const DEFAULT_PUBLISH_DELAY_MS = 60 * 60 * 1000;
export const DEFAULT_NOT_AVAILABLE_BEFORE = Date.parse('2020-01-01T00:00:00Z');

/** Time between two rows: the generator's own row step, else the registry's resolution. */
export function stepMs(dataset: DatasetId): number {
  return (GENERATORS[dataset].rowStepMinutes ?? datasetSpec(dataset).resolutionMinutes) * 60_000;
}

function alignUp(ms: number, step: number): number {
  return Math.ceil(ms / step) * step;
}

/** Where the real-time data starts: the release start (the 1st of its Paris month), else dataStart. */
export function releaseStartOf(opts: DataOptions): number {
  return opts.releaseStart === undefined
    ? (opts.dataStart ?? DEFAULT_DATA_START)
    : parisMonthStart(opts.releaseStart);
}

/** [start, end) of the rows that exist at `now`, epoch ms, aligned on the dataset's resolution. */
export function availableRange(dataset: DatasetId, opts: DataOptions): { start: number; end: number } {
  const gen = GENERATORS[dataset];
  const step = stepMs(dataset);
  const release = releaseStartOf(opts);
  if (datasetSpec(dataset).kind === 'historical') {
    return { start: alignUp(gen.historyStart ?? 0, step), end: Math.min(release, opts.now) };
  }
  return { start: alignUp(release, step), end: parisMidnightAfter(opts.now, gen.horizonDays) };
}

/** Values of instants ending at or before this are published. */
export function publishedUntil(dataset: DatasetId, opts: DataOptions): number {
  if (datasetSpec(dataset).kind === 'historical') return Infinity;
  const stall = (opts.stalls ?? []).find(
    (s) =>
      (s.dataset === undefined || s.dataset === dataset) && opts.now >= toMs(s.from) && opts.now < toMs(s.to),
  );
  const clock = stall ? toMs(stall.from) : opts.now;
  return clock - (opts.publishDelayMs ?? DEFAULT_PUBLISH_DELAY_MS);
}

interface ResolvedGap {
  from: number;
  to: number;
  regions: Set<string> | null;
}

function resolveGaps(dataset: DatasetId, gaps: readonly GapSpec[] | undefined): ResolvedGap[] {
  if (!gaps) return [];
  const keyed = datasetSpec(dataset).rowKey !== null;
  return gaps
    .filter((g) => g.dataset === undefined || g.dataset === dataset)
    .map((g) => {
      const from = toMs(g.from);
      return {
        from,
        to: g.to === undefined ? from + stepMs(dataset) : toMs(g.to),
        regions: g.regions && keyed ? new Set(g.regions) : null,
      };
    });
}

/**
 * Row positions in [from, to) intersected with what exists, ascending or descending by time
 * (regions in code order within an instant either way, as the portal sorts only on date_heure;
 * a spring ghost row comes before the real row of its instant, as its Paris heure is earlier).
 */
export function* slots(
  dataset: DatasetId,
  from: number,
  to: number,
  opts: DataOptions,
  order: 'asc' | 'desc' = 'asc',
): Generator<Slot> {
  const range = availableRange(dataset, opts);
  const step = stepMs(dataset);
  const lo = alignUp(Math.max(from, range.start), step);
  const hi = Math.min(to, range.end);
  if (lo >= hi) return;
  const gaps = resolveGaps(dataset, opts.gaps);
  const keyed = datasetSpec(dataset).rowKey !== null;
  const rowCount = keyed ? REGIONS.length : 1;
  const ghosts = opts.springGhostRows !== false;
  const hole = opts.autumnHole !== false;
  const last = Math.ceil(hi / step) * step - step;
  const dir = order === 'asc' ? 1 : -1;
  for (let t = dir === 1 ? lo : last; dir === 1 ? t < hi : t >= lo; t += dir * step) {
    if (hole && inAutumnFirstPass(t)) continue;
    const active = gaps.filter((g) => t >= g.from && t < g.to);
    const passes = ghosts && inSpringGhostHour(t) ? (dir === 1 ? [true, false] : [false, true]) : [false];
    for (const ghost of passes) {
      for (let r = 0; r < rowCount; r++) {
        if (active.length > 0) {
          const code = keyed ? REGIONS[r]?.code : undefined;
          if (active.some((g) => g.regions === null || (code !== undefined && g.regions.has(code)))) continue;
        }
        yield ghost ? { t, region: keyed ? r : -1, ghost } : { t, region: keyed ? r : -1 };
      }
    }
  }
}
