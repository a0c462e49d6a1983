import { DAY_MS, QUARTER_MS } from '../constants';
import type { DatasetId } from '../datasets';
import type { GapEntry } from './sources';

/** The state of one quarter of one dataset, as the coverage API and both renderers show it. */
export const QUARTER_STATES = ['landed', 'unpublished', 'missing', 'gap', 'not due'] as const;
export type QuarterState = (typeof QUARTER_STATES)[number];

/** One letter per quarter in `CoverageDay.quarters`: a 400-day answer stays small. */
export const STATE_CODE = {
  landed: 'L',
  unpublished: 'U',
  missing: 'M',
  gap: 'G',
  'not due': 'N',
} as const satisfies Record<QuarterState, string>;
export type StateCode = (typeof STATE_CODE)[QuarterState];
export const CODE_STATE = Object.fromEntries(
  Object.entries(STATE_CODE).map(([state, code]) => [code, state]),
) as Record<StateCode, QuarterState>;

export const QUARTERS_PER_DAY = DAY_MS / QUARTER_MS;

export type StateCounts = Record<QuarterState, number>;

export interface CoverageDay {
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  /** 96 letters (STATE_CODE), quarter 00:00Z first. */
  quarters: string;
  counts: StateCounts;
}

export interface DatasetCoverage {
  dataset: DatasetId;
  watermark: string | null;
  openGaps: number;
  permanentGaps: number;
  totals: StateCounts;
  days: CoverageDay[];
}

/** What one heartbeat slice says about its window. */
export interface SliceObservation {
  from: number;
  to: number;
  /** False when the slice failed: nothing of its window landed in that run. */
  stored: boolean;
  missing: ReadonlySet<number>;
  unpublished: ReadonlySet<number>;
  /** The missing list was capped: quarters after this instant are not known to have landed. */
  unknownAfter: number | null;
}

export interface CoverageFacts {
  dataset: DatasetId;
  /** [fromDay, toDay) in ms, both UTC midnights. */
  fromDay: number;
  toDay: number;
  nowMs: number;
  watermark: string | null;
  /** Where the scheduled runs' contiguous landed prefix starts ([chainStart, watermark) landed). */
  chainStart: number | null;
  gaps: readonly GapEntry[];
  observations: readonly SliceObservation[];
}

export const RANK_MISSING = 1;
export const RANK_UNPUBLISHED = 2;
export const RANK_LANDED = 3;

/** What one observation says of quarter `q` inside its window: the higher, the better the news. */
export function rankOf(o: SliceObservation, q: number): number {
  if (!o.stored) return RANK_MISSING;
  if (o.unpublished.has(q)) return RANK_UNPUBLISHED;
  if (o.missing.has(q) || (o.unknownAfter !== null && q >= o.unknownAfter)) return RANK_MISSING;
  return RANK_LANDED;
}

export function emptyCounts(): StateCounts {
  return { landed: 0, unpublished: 0, missing: 0, gap: 0, 'not due': 0 };
}

/**
 * Best news wins per quarter (a later run may land what an earlier one missed); the gap ledger
 * overrides it, and a quarter that has not ended yet is not due. Cost: one pass over the
 * quarters of the range plus one over each observation's window.
 */
export function computeCoverage(f: CoverageFacts): DatasetCoverage {
  const n = ((f.toDay - f.fromDay) / DAY_MS) * QUARTERS_PER_DAY;
  const rank = new Uint8Array(n);
  const index = (ms: number): number => Math.floor((ms - f.fromDay) / QUARTER_MS);
  const raise = (i: number, r: number): void => {
    if ((rank[i] ?? 0) < r) rank[i] = r;
  };
  for (const o of f.observations) {
    const lo = Math.max(0, index(Math.ceil(o.from / QUARTER_MS) * QUARTER_MS));
    const hi = Math.min(n, index(Math.ceil(o.to / QUARTER_MS) * QUARTER_MS));
    for (let i = lo; i < hi; i++) raise(i, rankOf(o, f.fromDay + i * QUARTER_MS));
  }
  if (f.watermark !== null && f.chainStart !== null) {
    const hi = Math.min(n, index(Date.parse(f.watermark)));
    for (let i = Math.max(0, index(f.chainStart)); i < hi; i++) rank[i] = RANK_LANDED;
  }
  const gapAt = new Uint8Array(n);
  for (const g of f.gaps) {
    if (g.status === 'closed') continue;
    const hi = Math.min(n, index(Date.parse(g.to)));
    for (let i = Math.max(0, index(Date.parse(g.from))); i < hi; i++) gapAt[i] = 1;
  }
  const firstNotDue = index(Math.floor(f.nowMs / QUARTER_MS) * QUARTER_MS);
  const days: CoverageDay[] = [];
  const totals = emptyCounts();
  for (let d = 0; d * QUARTERS_PER_DAY < n; d++) {
    const counts = emptyCounts();
    let letters = '';
    for (let i = d * QUARTERS_PER_DAY; i < (d + 1) * QUARTERS_PER_DAY; i++) {
      const state: QuarterState =
        i >= firstNotDue
          ? 'not due'
          : gapAt[i]
            ? 'gap'
            : rank[i] === RANK_LANDED
              ? 'landed'
              : rank[i] === RANK_UNPUBLISHED
                ? 'unpublished'
                : 'missing';
      counts[state]++;
      totals[state]++;
      letters += STATE_CODE[state];
    }
    days.push({ date: new Date(f.fromDay + d * DAY_MS).toISOString().slice(0, 10), quarters: letters, counts });
  }
  return {
    dataset: f.dataset,
    watermark: f.watermark,
    openGaps: f.gaps.filter((g) => g.status === 'open').length,
    permanentGaps: f.gaps.filter((g) => g.status === 'permanent').length,
    totals,
    days,
  };
}
