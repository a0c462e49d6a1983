import { DAY_MS } from './constants';
import { datasetSpec, type DatasetId } from './datasets';
import type { Slice } from './types';
import { basicIso, iso } from './time';

/**
 * Splits [from, to) into slices of at most one day per dataset, in time order. Slices are
 * cut from `from` rather than at midnight so that a scheduled three-hour window stays one
 * request per dataset even when it spans midnight.
 */
export function planSlices(datasets: readonly DatasetId[], fromIso: string, toIso: string): Slice[] {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const slices: Slice[] = [];
  for (const dataset of datasets) {
    for (let start = from; start < to; start += DAY_MS) {
      const end = Math.min(start + DAY_MS, to);
      slices.push({
        key: `${datasetSpec(dataset).short}-${basicIso(start)}`,
        dataset,
        from: iso(start),
        to: iso(end),
      });
    }
  }
  return slices;
}

/** How many slices (and so API requests, one per slice) a window costs. */
export function countSlices(datasets: readonly DatasetId[], fromMs: number, toMs: number): number {
  return datasets.length * Math.max(0, Math.ceil((toMs - fromMs) / DAY_MS));
}

/**
 * The end of the contiguous landed prefix of one dataset's slices: the watermark may advance
 * over it and no further, because a failed slice must be fetched again.
 */
export function landedUntil(slices: readonly Slice[], landed: ReadonlyMap<string, string>): string | null {
  let until: string | null = null;
  for (const slice of slices) {
    const reached = landed.get(slice.key);
    if (reached === undefined) break;
    until = reached;
    if (reached !== slice.to) break;
  }
  return until;
}
