import { datasetSpec, type DatasetId } from './datasets';
import type { Completeness, IncompleteRange } from './types';
import { iso } from './time';

const MAX_LISTED_QUARTERS = 24;
const MAX_RANGES = 48;
const MINUTE_MS = 60_000;

function isPublished(v: unknown): boolean {
  return v !== null && v !== undefined && v !== '' && v !== 'ND' && v !== '-';
}

/** Paris springs forward on the last Sunday of March at 01:00Z: 01:00-01:45Z carry ghost rows. */
export function isSpringGhostHour(ms: number): boolean {
  const d = new Date(ms);
  if (d.getUTCMonth() !== 2 || d.getUTCHours() !== 1) return false;
  const lastSunday = 31 - new Date(Date.UTC(d.getUTCFullYear(), 2, 31)).getUTCDay();
  return d.getUTCDate() === lastSunday;
}

/**
 * Counted in UTC instants at the dataset's resolution, so daylight-saving days need no special
 * case. An instant is landed when every expected row (one per row key) is there with the
 * published measure non-null; a second row for the same (row key, instant) is a duplicate.
 */
export function checkCompleteness(
  dataset: DatasetId,
  fromIso: string,
  toIso: string,
  rows: readonly Record<string, unknown>[],
): Completeness {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const spec = datasetSpec(dataset);
  const step = spec.resolutionMinutes * MINUTE_MS;
  const keys = new Map<number, Set<string>>();
  const published = new Map<number, Set<string>>();
  const dupes = new Map<number, number>();
  let nullMeasures = 0;
  let duplicateRows = 0;
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) seen.add(key);
    const t = typeof row.date_heure === 'string' ? Date.parse(row.date_heure) : NaN;
    const measured = isPublished(row[spec.publishedMeasure]);
    if (!(t >= from && t < to) || t % step !== 0) continue;
    if (!measured) nullMeasures++;
    const rowKey = spec.rowKey === null ? '' : String(row[spec.rowKey]);
    const atT = keys.get(t) ?? new Set<string>();
    if (atT.has(rowKey)) {
      duplicateRows++;
      dupes.set(t, (dupes.get(t) ?? 0) + 1);
    }
    atT.add(rowKey);
    keys.set(t, atT);
    if (measured) published.set(t, (published.get(t) ?? new Set<string>()).add(rowKey));
  }
  const missing: string[] = [];
  const incomplete: IncompleteRange[] = [];
  let missingCount = 0;
  let firstMissing: string | null = null;
  for (let q = Math.ceil(from / step) * step; q < to; q += step) {
    const present = keys.get(q)?.size ?? 0;
    const ready = published.get(q)?.size ?? 0;
    if (ready >= spec.rowsPerInstant) continue;
    missingCount++;
    firstMissing ??= iso(q);
    if (missing.length < MAX_LISTED_QUARTERS) missing.push(iso(q));
    const reason = present >= spec.rowsPerInstant ? 'unpublished' : 'missing';
    const last = incomplete[incomplete.length - 1];
    if (last && last.to === iso(q) && (last.reason === reason || incomplete.length >= MAX_RANGES)) {
      last.to = iso(q + step);
      last.expected += spec.rowsPerInstant;
      last.received += ready;
    } else {
      incomplete.push({
        from: iso(q),
        to: iso(q + step),
        expected: spec.rowsPerInstant,
        received: ready,
        reason,
      });
    }
  }
  const known = new Set(spec.fields);
  const warnings: string[] = [];
  for (const f of [...seen].sort()) if (!known.has(f)) warnings.push(`unexpected field "${f}"`);
  if (rows.length > 0) {
    for (const f of spec.fields) if (!seen.has(f)) warnings.push(`missing field "${f}"`);
  }
  const dupInstants = [...dupes.keys()].sort((a, b) => a - b);
  let duplicateWarning: string | null = null;
  if (dupInstants.length > 0) {
    const ghost = dupInstants.every(isSpringGhostHour)
      ? ' (the spring ghost hour: Paris 02:00-02:45 does not exist)'
      : '';
    const at = dupInstants.slice(0, MAX_LISTED_QUARTERS).map(iso).join(', ');
    duplicateWarning = `${duplicateRows} duplicate row(s) at ${at}${ghost}; counted once`;
  }
  return {
    expected: expectedRows(dataset, from, to),
    received: rows.length,
    nullMeasures,
    duplicateRows,
    missingQuarterCount: missingCount,
    missingQuarters: missing,
    incomplete,
    schemaWarnings: warnings,
    duplicateWarning,
    firstMissing,
  };
}

export function expectedRows(dataset: DatasetId, fromMs: number, toMs: number): number {
  const spec = datasetSpec(dataset);
  const step = spec.resolutionMinutes * MINUTE_MS;
  const first = Math.ceil(fromMs / step);
  const last = Math.ceil(toMs / step);
  return Math.max(0, last - first) * spec.rowsPerInstant;
}
