/** The records endpoint: at most 100 rows a page, offset + limit <= 10000, total_count; aggregates go to aggregates.ts. */
import type { DatasetId } from '../../../shared/datasets';
import { aggregatePlan, isAggregateSelect } from './aggregates';
import { RowFactory, type DataOptions } from './data';
import { jsonPlan, restError, type Plan } from './plan';
import { intParam, matching, parseCommon, project } from './query';
import type { Row } from './rows/types';

export function recordsPlan(dataset: DatasetId, q: URLSearchParams, opts: DataOptions): Plan {
  const limitRaw = q.get('limit');
  const limit = intParam(q, 'limit') ?? 10;
  if (limit < -1 || limit > 100) {
    throw restError(
      `Invalid value for limit API parameter: ${limitRaw} was found but -1 <= limit <= 100 is expected.`,
    );
  }
  const offset = intParam(q, 'offset') ?? 0;
  if (offset < 0)
    throw restError(
      `Invalid value for offset API parameter: ${offset} was found but offset >= 0 is expected.`,
    );
  const size = limit === -1 ? 100 : limit;
  if (offset + size > 10_000) {
    throw restError(
      `Invalid value for offset API parameter: offset + limit must be lower or equal to 10000, ` +
        `but offset=${offset} and limit=${size} were found.`,
    );
  }
  if (isAggregateSelect(q.get('select')) || q.get('group_by') !== null) {
    return aggregatePlan(dataset, q, opts, { limit: size, offset });
  }
  const { filter, order, select, timeZone } = parseCommon(dataset, q);
  const factory = new RowFactory(dataset, opts, timeZone);
  let total = 0;
  const results: Row[] = [];
  for (const slot of matching(factory, filter, order, opts)) {
    if (total >= offset && results.length < size) results.push(project(factory.row(slot), select));
    total++;
  }
  return jsonPlan(200, { total_count: total, results });
}
