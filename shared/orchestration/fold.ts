import type { DatasetId } from '../datasets';
import type { CheckedWindow, CustomStatus, FailureInfo, RecordRunOperation } from '../types';
import type { Lane } from './chunks';
import { failureFrom } from './pipeline';
import { watermarksOf, type Landed } from './helpers';

/** Failures a lane returns to its parent; its chunks' detail files hold every one. */
export const LANE_FAILURES = 3;

/** What a lane hands back (and carries from one execution to the next): counts and marks, no detail. */
export interface LaneOutput {
  lane: number;
  chunks: number;
  slices: number;
  fetched: number;
  stored: number;
  failed: number;
  records: number;
  failures: FailureInfo[];
  /** One per dataset the lane holds: how far its part landed, folded in time order. */
  landed: Landed[];
  /** The same, as far as stored whatever completeness found: what the state entity's ledger starts from. */
  reached: Landed[];
  /** The windows stored, adjacent ones joined: what the gap ledger is told was checked. */
  checked: { dataset: DatasetId; windows: CheckedWindow[] }[];
  rateLimitRemaining: Partial<Record<DatasetId, number>>;
}

export function emptyLane(lane: number): LaneOutput {
  return {
    lane,
    chunks: 0,
    slices: 0,
    fetched: 0,
    stored: 0,
    failed: 0,
    records: 0,
    failures: [],
    landed: [],
    reached: [],
    checked: [],
    rateLimitRemaining: {},
  };
}

/** Consecutive parts (in time order per dataset) folded into one mark per dataset. */
export function foldLanded(parts: readonly Landed[]): Landed[] {
  const marks = watermarksOf(parts);
  const stopped = new Set(parts.filter((l) => !l.whole).map((l) => l.dataset));
  return [...new Set(parts.map((l) => l.dataset))].map((dataset) => ({
    dataset,
    until: marks[dataset] ?? null,
    whole: !stopped.has(dataset),
  }));
}

/** Appends windows in time order, joining a window to the previous one when they touch. */
export function joinChecked(into: LaneOutput['checked'], more: LaneOutput['checked']): LaneOutput['checked'] {
  const out = into.map((c) => ({ dataset: c.dataset, windows: [...c.windows] }));
  for (const { dataset, windows } of more) {
    let entry = out.find((c) => c.dataset === dataset);
    if (!entry) out.push((entry = { dataset, windows: [] }));
    for (const w of windows) {
      const last = entry.windows[entry.windows.length - 1];
      if (last && last.to === w.from) {
        entry.windows[entry.windows.length - 1] = {
          from: last.from,
          to: w.to,
          incomplete: [...last.incomplete, ...w.incomplete],
        };
      } else entry.windows.push({ ...w, incomplete: [...w.incomplete] });
    }
  }
  return out;
}

/** A lane's (or the run's) totals with one more part: a chunk, or a whole lane in lane order. */
export function addPart(
  acc: LaneOutput,
  part: Omit<LaneOutput, 'lane' | 'landed' | 'reached'> & {
    landed: readonly Landed[];
    reached: readonly Landed[];
  },
  keep: number,
): LaneOutput {
  return {
    lane: acc.lane,
    chunks: acc.chunks + part.chunks,
    slices: acc.slices + part.slices,
    fetched: acc.fetched + part.fetched,
    stored: acc.stored + part.stored,
    failed: acc.failed + part.failed,
    records: acc.records + part.records,
    failures: [...acc.failures, ...part.failures].slice(0, keep),
    landed: foldLanded([...acc.landed, ...part.landed]),
    reached: foldLanded([...acc.reached, ...part.reached]),
    checked: joinChecked(acc.checked, part.checked),
    rateLimitRemaining: { ...acc.rateLimitRemaining, ...part.rateLimitRemaining },
  };
}

/** A lane that failed as a whole (not slice by slice): every slice of it counts failed, nothing landed. */
export function failedLane(lane: Lane, error: unknown): LaneOutput {
  const slices = lane.chunks.flatMap((c) => c.slices);
  const none = [...new Set(lane.chunks.map((c) => c.dataset))].map((dataset) => ({
    dataset,
    until: null,
    whole: false,
  }));
  return {
    ...emptyLane(lane.index),
    chunks: lane.chunks.length,
    slices: slices.length,
    failed: slices.length,
    failures: slices.slice(0, LANE_FAILURES).map((s) => failureFrom(s, error, 1)),
    landed: none,
    reached: none,
  };
}

/** The custom status of a chunked run: its lanes report only when they end. */
export function laneStatusOf(
  stage: CustomStatus['stage'],
  slices: number,
  chunks: number,
  p: LaneOutput,
): CustomStatus {
  return {
    stage,
    slices,
    fetched: p.fetched,
    stored: p.stored,
    failed: p.failed,
    chunks,
    chunksDone: p.chunks,
  };
}

/** What the state entity hears of one dataset from a chunked run besides its watermark. */
export function laneFactsOf(
  total: LaneOutput,
  dataset: DatasetId,
): Pick<RecordRunOperation, 'checked' | 'rateLimitRemaining'> {
  return {
    checked: total.checked.find((c) => c.dataset === dataset)?.windows ?? [],
    rateLimitRemaining: total.rateLimitRemaining[dataset] ?? null,
  };
}
