import { QUARTER_MS, type DatasetId } from './constants';
import type { Config } from './config';
import { ALL_DATASETS, datasetSpec } from './datasets';
import { countSlices } from './slicing';
import { floorToQuarter, iso, parseInstant } from './time';

export const MAX_BODY_BYTES = 1024 * 1024;
/** eCO2mix real-time data starts in 2012; earlier dates are a mistake, not a backfill. */
export const EARLIEST_INSTANT = Date.UTC(2012, 0, 1);
const ALLOWED_FIELDS = ['from', 'to', 'datasets'];

export interface RunRequest {
  kind: 'manual' | 'backfill';
  from: string;
  to: string;
  datasets: DatasetId[];
}

export type Validation<T> =
  { ok: true; value: T } | { ok: false; status: number; error: string; details: Record<string, unknown> };

const bad = (error: string, details: Record<string, unknown>): Validation<never> => ({
  ok: false,
  status: 400,
  error,
  details,
});

/**
 * Validates the HTTP starter's body. No body re-runs the latest window; a body names a
 * backfill. Every refusal names the field at fault.
 */
export function parseRunRequest(
  bodyText: string,
  config: Pick<Config, 'datasets' | 'lookbackMs' | 'maxBackfillMs'>,
  nowMs: number,
): Validation<RunRequest> {
  const latest = floorToQuarter(nowMs);
  if (Buffer.byteLength(bodyText) > MAX_BODY_BYTES) {
    return { ok: false, status: 413, error: 'payload too large', details: { limit: MAX_BODY_BYTES } };
  }
  if (bodyText.trim() === '') {
    return {
      ok: true,
      value: {
        kind: 'manual',
        from: iso(latest - config.lookbackMs),
        to: iso(latest),
        datasets: [...config.datasets],
      },
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch (err) {
    return bad('invalid JSON', { field: 'body', reason: err instanceof Error ? err.message : 'unparseable' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad('invalid body', { field: 'body', reason: 'expected a JSON object' });
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!ALLOWED_FIELDS.includes(key))
      return bad('unknown field', { field: key.slice(0, 64), allowed: ALLOWED_FIELDS });
  }

  const instant = (field: 'from' | 'to'): Validation<number> | undefined => {
    const v = record[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return bad('invalid field', { field, reason: 'expected an ISO-8601 string' });
    const d = parseInstant(v);
    if (!d) {
      return bad('invalid field', {
        field,
        reason: 'not an ISO-8601 instant with a zone, e.g. 2026-11-28T06:15:00Z',
      });
    }
    if (d.getTime() % QUARTER_MS !== 0) {
      return bad('invalid field', {
        field,
        reason: 'must fall on a quarter hour (mm 00, 15, 30 or 45; seconds 0)',
      });
    }
    if (d.getTime() < EARLIEST_INSTANT)
      return bad('invalid field', { field, reason: 'before 2012-01-01T00:00Z' });
    return { ok: true, value: d.getTime() };
  };
  const from = instant('from');
  const to = instant('to');
  if (from && !from.ok) return from;
  if (to && !to.ok) return to;
  if (to && !from) return bad('missing field', { field: 'from', reason: 'required when to is given' });
  const fromMs = from?.value;
  const toMs = to?.value ?? latest;
  if (fromMs !== undefined && fromMs >= toMs)
    return bad('invalid range', { field: 'to', reason: 'must be after from' });
  if (toMs > nowMs) return bad('invalid field', { field: 'to', reason: 'is in the future' });
  if (fromMs !== undefined && toMs - fromMs > config.maxBackfillMs) {
    return bad('range too large', {
      field: 'to',
      reason: `at most ${config.maxBackfillMs / 86_400_000} days per request`,
      maxDays: config.maxBackfillMs / 86_400_000,
    });
  }

  let datasets: DatasetId[] = [...config.datasets];
  if (record.datasets !== undefined) {
    const v = record.datasets;
    if (!Array.isArray(v) || v.length === 0) {
      return bad('invalid field', { field: 'datasets', reason: 'expected a non-empty array of dataset ids' });
    }
    datasets = [];
    for (const d of v) {
      if (typeof d !== 'string' || !(ALL_DATASETS as readonly string[]).includes(d)) {
        return bad('unknown dataset', {
          field: 'datasets',
          value: typeof d === 'string' ? d.slice(0, 64) : typeof d,
          known: ALL_DATASETS,
        });
      }
      if (datasets.includes(d as DatasetId)) return bad('duplicate dataset', { field: 'datasets', value: d });
      datasets.push(d as DatasetId);
    }
  }
  if (fromMs === undefined) {
    const historical = datasets.find((d) => datasetSpec(d).kind !== 'real-time');
    if (historical) {
      return bad('backfill-only dataset', {
        field: 'datasets',
        value: historical,
        reason: 'a consolidated dataset is read only by a backfill: give from (and to)',
      });
    }
    return {
      ok: true,
      value: { kind: 'manual', from: iso(toMs - config.lookbackMs), to: iso(toMs), datasets },
    };
  }
  return { ok: true, value: { kind: 'backfill', from: iso(fromMs), to: iso(toMs), datasets } };
}

/** One request per slice: the estimate a backfill is checked against before it starts. */
export function estimateCalls(req: Pick<RunRequest, 'from' | 'to' | 'datasets'>): number {
  return countSlices(req.datasets, Date.parse(req.from), Date.parse(req.to));
}
