/**
 * The soak's injected disturbances and its figures, as plain data and functions (no I/O), so
 * that the 21-day jest version and `npm run soak -- --days 365` share them.
 */
import { datasetSpec, type DatasetId } from '../../shared/datasets';

export const Q = 900_000;
const H = 3_600_000;
const D = 86_400_000;

export interface Window {
  from: number;
  to: number;
}

export interface Scenario {
  start: number;
  end: number;
  hostDown: Window;
  apiDown: Window;
  feedStall: Window;
  quotaDay: Window;
  /** One region missing one quarter, for good. */
  permanentHole: { dataset: DatasetId; region: string; at: number };
  /** The first pass of the Paris 02:00 hour, never served (last Sunday of October, 00:00-01:00Z). */
  autumnHoles: Window[];
}

function lastSunday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay());
}

/** The disturbances sit in the first three weeks, so the 21-day run sees every one of them. */
export function buildScenario(startIso: string, days: number): Scenario {
  const start = Date.parse(startIso);
  const end = start + days * D;
  const autumnHoles: Window[] = [];
  for (let y = new Date(start).getUTCFullYear(); y <= new Date(end).getUTCFullYear(); y++) {
    const t = lastSunday(y, 9);
    if (t >= start && t < end) autumnHoles.push({ from: t, to: t + H });
  }
  return {
    start,
    end,
    permanentHole: { dataset: 'eco2mix-regional-tr', region: '32', at: start + 2 * H },
    hostDown: { from: start + 2 * D, to: start + 5 * D },
    apiDown: { from: start + 6 * D + 8 * H, to: start + 6 * D + 14 * H },
    feedStall: { from: start + 7 * D + 9 * H, to: start + 7 * D + 15 * H },
    quotaDay: { from: start + 12 * D, to: start + 13 * D },
    autumnHoles,
  };
}

export const inside = (t: number, w: Window): boolean => t >= w.from && t < w.to;

/** Tracks, per dataset and instant, when every expected row had landed with its measure. */
export class LandingBook {
  private readonly rows = new Map<string, Set<string>>();
  readonly landedAt = new Map<string, number>();

  addFile(dataset: DatasetId, body: string, runSlot: number): void {
    const spec = datasetSpec(dataset);
    for (const row of JSON.parse(body) as Record<string, unknown>[]) {
      const v = row[spec.publishedMeasure];
      if (v === null || v === undefined || typeof row.date_heure !== 'string') continue;
      const key = `${dataset}|${Date.parse(row.date_heure)}`;
      if (this.landedAt.has(key)) continue;
      const seen = this.rows.get(key) ?? new Set<string>();
      seen.add(spec.rowKey === null ? '' : String(row[spec.rowKey]));
      this.rows.set(key, seen);
      if (seen.size >= spec.rowsPerInstant) {
        this.landedAt.set(key, runSlot);
        this.rows.delete(key);
      }
    }
  }
}

export interface DatasetFigures {
  dataset: DatasetId;
  published: number;
  landed: number;
  gapsOpen: number;
  gapsPermanent: number;
  longestWaitMinutes: number;
}

/**
 * A quarter is published when the source serves it complete (permanent holes never are) and its
 * values are out (one hour after it ends). Its wait is from then, or from the end of a disturbance
 * that hid it, to the slot of the run that landed it.
 */
export function figures(
  s: Scenario,
  dataset: DatasetId,
  book: LandingBook,
  lastSlot: number,
  gaps: { open: number; permanent: number },
  publishDelayMs: number,
): DatasetFigures {
  let published = 0;
  let landed = 0;
  let longest = 0;
  for (let t = s.start; t + Q + publishDelayMs <= lastSlot; t += Q) {
    if (s.autumnHoles.some((w) => inside(t, w))) continue;
    if (dataset === s.permanentHole.dataset && t === s.permanentHole.at) continue;
    published++;
    const at = book.landedAt.get(`${dataset}|${t}`);
    if (at === undefined) continue;
    landed++;
    let out = t + Q + publishDelayMs;
    for (const w of [s.feedStall, s.apiDown, s.hostDown, s.quotaDay])
      if (out >= w.from && out < w.to) out = w.to;
    longest = Math.max(longest, at - out);
  }
  return {
    dataset,
    published,
    landed,
    gapsOpen: gaps.open,
    gapsPermanent: gaps.permanent,
    longestWaitMinutes: Math.round(longest / 60_000),
  };
}
