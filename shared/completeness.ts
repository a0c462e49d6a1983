import { QUARTER_MS } from './constants';
import { datasetSpec, type DatasetId } from './datasets';
import type { Completeness } from './types';
import { iso } from './time';

const MAX_LISTED_QUARTERS = 24;

/** Counted in UTC quarters, so daylight-saving days need no special case. */
export function checkCompleteness(
  dataset: DatasetId,
  fromIso: string,
  toIso: string,
  rows: readonly Record<string, unknown>[],
): Completeness {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const spec = datasetSpec(dataset);
  const perQuarter = spec.rowsPerInstant;
  const counts = new Map<number, number>();
  let nullMeasures = 0;
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) seen.add(key);
    if (row[spec.publishedMeasure] === null || row[spec.publishedMeasure] === undefined) nullMeasures++;
    const t = typeof row.date_heure === 'string' ? Date.parse(row.date_heure) : NaN;
    if (t >= from && t < to) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const missing: string[] = [];
  let missingCount = 0;
  let firstMissing: string | null = null;
  for (let q = Math.ceil(from / QUARTER_MS) * QUARTER_MS; q < to; q += QUARTER_MS) {
    if ((counts.get(q) ?? 0) < perQuarter) {
      missingCount++;
      firstMissing ??= iso(q);
      if (missing.length < MAX_LISTED_QUARTERS) missing.push(iso(q));
    }
  }
  const known = new Set(spec.fields);
  const warnings: string[] = [];
  for (const f of [...seen].sort()) if (!known.has(f)) warnings.push(`unexpected field "${f}"`);
  if (rows.length > 0) {
    for (const f of spec.fields) if (!seen.has(f)) warnings.push(`missing field "${f}"`);
  }
  return {
    expected: expectedRows(dataset, from, to),
    received: rows.length,
    nullMeasures,
    missingQuarterCount: missingCount,
    missingQuarters: missing,
    schemaWarnings: warnings,
    firstMissing,
  };
}

export function expectedRows(dataset: DatasetId, fromMs: number, toMs: number): number {
  const first = Math.ceil(fromMs / QUARTER_MS);
  const last = Math.ceil(toMs / QUARTER_MS);
  return Math.max(0, last - first) * datasetSpec(dataset).rowsPerInstant;
}
