/**
 * The shapes the coverage reads from durable state and heartbeats, in one place. The gap ledger
 * (issue 11) and the per-quarter `unpublishedQuarters` list are optional: state and heartbeats
 * written before them are read as having none.
 */
import { QUARTER_MS } from '../constants';
import type { DatasetId } from '../datasets';
import type { DatasetState } from '../types';
import type { SliceObservation } from './model';

export interface GapEntry {
  from: string;
  to: string;
  reason: 'missing' | 'unpublished';
  status: 'open' | 'permanent' | 'closed';
}

/** `DatasetState.gaps`, when the state carries a ledger; malformed entries are skipped. */
export function gapsOf(state: DatasetState): GapEntry[] {
  const raw: unknown = (state as { gaps?: unknown }).gaps;
  if (!Array.isArray(raw)) return [];
  return raw.filter((g): g is GapEntry => {
    const e = g as Partial<GapEntry> | null;
    return (
      typeof e?.from === 'string' &&
      typeof e.to === 'string' &&
      !Number.isNaN(Date.parse(e.from)) &&
      !Number.isNaN(Date.parse(e.to)) &&
      (e.status === 'open' || e.status === 'permanent' || e.status === 'closed')
    );
  });
}

interface HeartbeatSlice {
  dataset?: unknown;
  window?: { from?: unknown; to?: unknown };
  file?: unknown;
  completeness?: {
    missingQuarterCount?: unknown;
    missingQuarters?: unknown;
    unpublishedQuarters?: unknown;
  } | null;
}

const instants = (list: unknown): number[] =>
  Array.isArray(list)
    ? list.map((v) => (typeof v === 'string' ? Date.parse(v) : NaN)).filter((v) => !Number.isNaN(v))
    : [];

/** A heartbeat's slices for the wanted datasets; anything unreadable is left out, never guessed. */
export function observationsOf(
  heartbeat: unknown,
  wanted: ReadonlySet<DatasetId>,
): { dataset: DatasetId; observation: SliceObservation }[] {
  const slices = (heartbeat as { slices?: unknown } | null)?.slices;
  if (!Array.isArray(slices)) return [];
  const out: { dataset: DatasetId; observation: SliceObservation }[] = [];
  for (const s of slices as HeartbeatSlice[]) {
    const dataset = s.dataset as DatasetId;
    if (!wanted.has(dataset)) continue;
    const from = typeof s.window?.from === 'string' ? Date.parse(s.window.from) : NaN;
    const to = typeof s.window?.to === 'string' ? Date.parse(s.window.to) : NaN;
    if (Number.isNaN(from) || Number.isNaN(to)) continue;
    const c = s.completeness ?? null;
    const stored = typeof s.file === 'string' && c !== null;
    const missing = instants(c?.missingQuarters);
    const count = typeof c?.missingQuarterCount === 'number' ? c.missingQuarterCount : missing.length;
    const unknownAfter =
      count > missing.length ? (missing.length > 0 ? Math.max(...missing) + QUARTER_MS : from) : null;
    out.push({
      dataset,
      observation: {
        from,
        to,
        stored,
        missing: new Set(missing),
        unpublished: new Set(instants(c?.unpublishedQuarters)),
        unknownAfter,
      },
    });
  }
  return out;
}
