import { DAY_MS } from '../constants';
import { isDatasetId, type DatasetId } from '../datasets';
import { parseInstant } from '../time';
import type { CoverageRange } from './read';

export const DEFAULT_DAYS = 14;
export const MAX_DAYS = 400;

export type ParsedRange =
  | { ok: true; value: CoverageRange }
  | { ok: false; error: string; details: { field: string; reason: string } };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC day `YYYY-MM-DD`, or an ISO instant (its UTC day); null if neither. */
function parseDay(text: string): number | null {
  const instant = parseInstant(DATE.test(text) ? `${text}T00:00:00Z` : text);
  return instant === null ? null : Math.floor(instant.getTime() / DAY_MS) * DAY_MS;
}

/**
 * `from` and `to` are UTC days, both included (`to` defaults to today, `from` to 13 days before
 * `to`); `dataset` is one id or a comma-separated list of configured datasets.
 */
export function parseCoverageQuery(
  query: URLSearchParams,
  configured: readonly DatasetId[],
  nowMs: number,
): ParsedRange {
  const bad = (field: string, reason: string): ParsedRange => ({
    ok: false,
    error: 'invalid query',
    details: { field, reason },
  });
  const rawTo = query.get('to');
  const rawFrom = query.get('from');
  const to = rawTo === null ? Math.floor(nowMs / DAY_MS) * DAY_MS : parseDay(rawTo);
  if (to === null) return bad('to', 'a UTC day YYYY-MM-DD or an ISO-8601 instant with a zone');
  const from = rawFrom === null ? to - (DEFAULT_DAYS - 1) * DAY_MS : parseDay(rawFrom);
  if (from === null) return bad('from', 'a UTC day YYYY-MM-DD or an ISO-8601 instant with a zone');
  if (from > to) return bad('to', '"to" is before "from"');
  if ((to - from) / DAY_MS + 1 > MAX_DAYS) return bad('from', `at most ${MAX_DAYS} days per request`);
  let datasets: DatasetId[] = [...configured];
  const rawDataset = query.get('dataset');
  if (rawDataset !== null) {
    datasets = [];
    for (const id of rawDataset.split(',').map((s) => s.trim())) {
      if (!isDatasetId(id) || !configured.includes(id)) {
        return bad('dataset', `not a configured dataset; use one of ${configured.join(', ')}`);
      }
      if (!datasets.includes(id)) datasets.push(id);
    }
  }
  return { ok: true, value: { fromDay: from, toDay: to + DAY_MS, datasets } };
}
