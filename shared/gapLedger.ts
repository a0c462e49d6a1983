import { datasetSpec, type DatasetId } from './datasets';
import { iso } from './time';
import type {
  CheckedWindow,
  GapEntry,
  GapPolicy,
  GapReason,
  PendingRange,
  Slice,
  SweepWindow,
} from './types';
import { basicIso } from './time';

/** Closed gaps kept in the ledger, newest last: enough to see what the sweep filled. */
export const MAX_CLOSED_GAPS = 20;

interface Instant {
  expected: number;
  received: number;
  reason: GapReason;
  firstSeen: string;
  lastChecked: string;
  status?: GapEntry['status'];
  closedAt?: string;
}

function expand(ranges: readonly PendingRange[], step: number, into: Map<number, Instant>): void {
  for (const r of ranges) {
    const n = Math.max(1, Math.round((Date.parse(r.to) - Date.parse(r.from)) / step));
    for (let t = Date.parse(r.from); t < Date.parse(r.to); t += step) {
      const g = r as Partial<GapEntry>;
      into.set(t, {
        expected: Math.round(r.expected / n),
        received: Math.round(r.received / n),
        reason: r.reason,
        firstSeen: r.firstSeen,
        lastChecked: r.lastChecked,
        ...(g.status ? { status: g.status } : {}),
        ...(g.closedAt ? { closedAt: g.closedAt } : {}),
      });
    }
  }
}

/** Merges consecutive instants that share reason and status (and first sighting, for pending ones) into ranges. */
function collapse(map: Map<number, Instant>, step: number, acrossSightings = false): GapEntry[] {
  const out: GapEntry[] = [];
  for (const t of [...map.keys()].sort((a, b) => a - b)) {
    const i = map.get(t) as Instant;
    const last = out[out.length - 1];
    if (
      last &&
      Date.parse(last.to) === t &&
      last.reason === i.reason &&
      last.status === (i.status ?? 'open') &&
      (acrossSightings || last.firstSeen === i.firstSeen)
    ) {
      // gaps next to each other are one gap, seen first at the earliest sighting
      if (i.firstSeen < last.firstSeen) last.firstSeen = i.firstSeen;
      last.to = iso(t + step);
      last.expected += i.expected;
      last.received += i.received;
      if (i.lastChecked > last.lastChecked) last.lastChecked = i.lastChecked;
      continue;
    }
    out.push({
      from: iso(t),
      to: iso(t + step),
      expected: i.expected,
      received: i.received,
      reason: i.reason,
      firstSeen: i.firstSeen,
      lastChecked: i.lastChecked,
      status: i.status ?? 'open',
      ...(i.closedAt ? { closedAt: i.closedAt } : {}),
    });
  }
  return out;
}

export interface LedgerUpdate {
  incomplete: PendingRange[];
  gaps: GapEntry[];
  /** The earliest instant still pending (not yet a gap), or null: the watermark stops there. */
  holdAt: number | null;
}

/**
 * Folds one run's checked windows into the ledger: instants found complete leave it (a gap that
 * fills is closed), incomplete ones keep their first sighting, and those pending longer than the
 * horizon become open gaps; open gaps older than the give-up age become permanent.
 */
export function updateLedger(
  dataset: DatasetId,
  state: { incomplete: readonly PendingRange[]; gaps: readonly GapEntry[] },
  checked: readonly CheckedWindow[],
  at: string,
  policy: GapPolicy,
  holdFloorMs: number | null = null,
): LedgerUpdate {
  const step = datasetSpec(dataset).resolutionMinutes * 60_000;
  const pending = new Map<number, Instant>();
  const gaps = new Map<number, Instant>();
  expand(state.incomplete, step, pending);
  const closed = state.gaps.filter((g) => g.status === 'closed');
  expand(
    state.gaps.filter((g) => g.status !== 'closed'),
    step,
    gaps,
  );
  const nowMs = Date.parse(at);
  for (const w of checked) {
    const found = new Map<number, Instant>();
    expand(
      w.incomplete.map((r) => ({ ...r, firstSeen: at, lastChecked: at })),
      step,
      found,
    );
    for (let t = Math.ceil(Date.parse(w.from) / step) * step; t < Date.parse(w.to); t += step) {
      const hit = found.get(t);
      const gap = gaps.get(t);
      if (!hit) {
        pending.delete(t);
        if (gap) {
          gaps.delete(t);
          closed.push(
            // found whole: every expected row is in now, whatever the last check before counted
            ...collapse(
              new Map([
                [t, { ...gap, received: gap.expected, status: 'closed', closedAt: at, lastChecked: at }],
              ]),
              step,
            ),
          );
        }
      } else if (gap) {
        gaps.set(t, { ...gap, received: hit.received, reason: hit.reason, lastChecked: at });
      } else {
        const before = pending.get(t);
        pending.set(t, { ...hit, firstSeen: before?.firstSeen ?? at });
      }
    }
  }
  for (const [t, p] of pending) {
    if (nowMs - Date.parse(p.firstSeen) >= policy.horizonMs) {
      gaps.set(t, { ...p, status: 'open' });
      pending.delete(t);
    }
  }
  for (const [t, g] of gaps) {
    if (g.status === 'open' && nowMs - Date.parse(g.firstSeen) >= policy.giveUpMs) {
      gaps.set(t, { ...g, status: 'permanent' });
    }
  }
  // Pending instants behind the watermark (found by a backfill) hold nothing back.
  const ahead = [...pending.keys()].filter((t) => holdFloorMs === null || t >= holdFloorMs);
  const holdAt = ahead.length === 0 ? null : Math.min(...ahead);
  const incomplete = collapse(pending, step).map(({ status: _s, closedAt: _c, ...r }) => r);
  return {
    incomplete,
    gaps: [...collapse(gaps, step, true), ...closed.slice(-MAX_CLOSED_GAPS)],
    holdAt,
  };
}

/** The UTC days holding open gaps, oldest first: one sweep request each. */
export function sweepDays(gaps: readonly GapEntry[]): { from: string; to: string }[] {
  const days = new Map<string, { from: number; to: number }>();
  for (const g of gaps) {
    if (g.status !== 'open') continue;
    for (let t = Date.parse(g.from); t < Date.parse(g.to);) {
      const dayStart = Math.floor(t / 86_400_000) * 86_400_000;
      const end = Math.min(Date.parse(g.to), dayStart + 86_400_000);
      const key = iso(dayStart);
      const d = days.get(key);
      days.set(key, { from: Math.min(d?.from ?? t, t), to: Math.max(d?.to ?? end, end) });
      t = end;
    }
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, d]) => ({ from: iso(d.from), to: iso(d.to) }));
}

/** Sweep windows as slices, keyed apart from the main window's (`regional-sweep-<from>`). */
export function planSweep(windows: readonly SweepWindow[]): Slice[] {
  return windows.map((w) => ({
    key: `${datasetSpec(w.dataset).short}-sweep-${basicIso(Date.parse(w.from))}`,
    dataset: w.dataset,
    from: w.from,
    to: w.to,
  }));
}
