/**
 * The shapes the coverage reads from durable state and heartbeats, in one place. The gap ledger
 * and the completeness's `incomplete` ranges are optional: state and heartbeats written before
 * them are read from the capped `missingQuarters` list alone, with no quarter called unpublished.
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
    incomplete?: unknown;
  } | null;
}

interface Ranges {
  missing: Set<number>;
  unpublished: Set<number>;
}

/**
 * The completeness's incomplete ranges, quarter by quarter, split by reason. They cover every
 * incomplete instant of the slice (merged, never capped), so nothing after them is unknown.
 */
function rangesOf(list: unknown): Ranges | null {
  if (!Array.isArray(list)) return null;
  const out: Ranges = { missing: new Set(), unpublished: new Set() };
  for (const r of list as { from?: unknown; to?: unknown; reason?: unknown }[]) {
    const from = typeof r?.from === 'string' ? Date.parse(r.from) : NaN;
    const to = typeof r?.to === 'string' ? Date.parse(r.to) : NaN;
    if (Number.isNaN(from) || Number.isNaN(to)) return null;
    const into = r.reason === 'unpublished' ? out.unpublished : out.missing;
    for (let q = Math.floor(from / QUARTER_MS) * QUARTER_MS; q < to; q += QUARTER_MS) into.add(q);
  }
  return out;
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
    const ranges = rangesOf(c?.incomplete);
    if (ranges) {
      out.push({ dataset, observation: { from, to, stored, ...ranges, unknownAfter: null } });
      continue;
    }
    const missing = instants(c?.missingQuarters);
    const count = typeof c?.missingQuarterCount === 'number' ? c.missingQuarterCount : missing.length;
    const unknownAfter =
      count > missing.length ? (missing.length > 0 ? Math.max(...missing) + QUARTER_MS : from) : null;
    out.push({
      dataset,
      observation: { from, to, stored, missing: new Set(missing), unpublished: new Set(), unknownAfter },
    });
  }
  return out;
}
