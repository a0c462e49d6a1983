import type { DatasetId } from '../constants';
import { RetryableError, truncate } from '../errors';
import type { FetchWindowDeps } from './client';
import { ungated } from './gate';

export interface CoverageResult {
  /** The first instant the dataset holds, or null when it holds nothing. */
  earliest: string | null;
  requests: number;
}

/**
 * One coverage request: the first and last instant of each version (`nature`) the dataset holds,
 * as the public ingester Erhazya/ampere asks it (`records` with `min(date_heure)` grouped by
 * `nature`). A real-time dataset starts at its last consolidated release (facts.md §6).
 */
export const COVERAGE_PARAMS = {
  select: 'nature, min(date_heure) as first, max(date_heure) as last',
  group_by: 'nature',
} as const;

export async function fetchCoverage(deps: FetchWindowDeps, dataset: DatasetId): Promise<CoverageResult> {
  const authorization = await deps.getAuthorization();
  let requests = 0;
  const res = await (deps.gate ?? ungated)(() =>
    deps.http.get(`/api/explore/v2.1/catalog/datasets/${encodeURIComponent(dataset)}/records`, {
      params: COVERAGE_PARAMS,
      headers: authorization === null ? {} : { Authorization: authorization },
      responseType: 'arraybuffer',
      validateStatus: () => true,
      onRequestSent: () => {
        requests++;
      },
    }),
  );
  const text = Buffer.isBuffer(res.data) ? res.data.toString('utf8') : String(res.data);
  const fail = (message: string): RetryableError =>
    new RetryableError({
      code: 'RTE_COVERAGE_FAILED',
      httpStatus: res.status,
      message: truncate(`coverage of ${dataset}: ${message}`, 300),
    });
  if (res.status !== 200) throw fail(`HTTP ${res.status}: ${truncate(text, 200)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail(`not JSON: ${truncate(text, 200)}`);
  }
  const rows = (parsed as { results?: unknown }).results;
  if (!Array.isArray(rows)) throw fail('no list of results');
  let earliest: number | null = null;
  for (const row of rows as Record<string, unknown>[]) {
    const t = typeof row.first === 'string' ? Date.parse(row.first) : NaN;
    if (Number.isFinite(t) && (earliest === null || t < earliest)) earliest = t;
  }
  return {
    earliest: earliest === null ? null : new Date(earliest).toISOString().replace('.000Z', 'Z'),
    requests,
  };
}
