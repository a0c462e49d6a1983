/**
 * The exports endpoint (json, jsonl): every matching row, no row cap, streamed. With the
 * `unorderedExports` quirk the rows come in a fixed order that is not the dates', even with
 * order_by, as the real portal sends them (Erhazya/ampere ADR 024: two identical exports give the
 * same bytes, in an order that is not the dates').
 */
import { DAY_MS } from '../../../shared/constants';
import type { DatasetId } from '../../../shared/datasets';
import { availableRange, RowFactory, type DataOptions } from './data';
import { JSON_TYPE, restError, type Plan } from './plan';
import { intParam, matching, parseCommon, project } from './query';
import type { Slot } from './rows/types';
import { rnd } from './values';

/** Days of the window in a shuffled but fixed order; rows of a day shuffled the same way. */
function* unordered(
  factory: RowFactory,
  q: ReturnType<typeof parseCommon>,
  opts: DataOptions,
): Generator<Slot> {
  const range = availableRange(factory.dataset, opts);
  const lo = Math.max(q.filter.from, range.start);
  const hi = Math.min(q.filter.to, range.end);
  if (lo >= hi) return;
  const days: number[] = [];
  for (let d = Math.floor(lo / DAY_MS); d * DAY_MS < hi; d++) days.push(d);
  days.sort((a, b) => rnd(7, a) - rnd(7, b));
  for (const d of days) {
    const day = [...matching(factory, q.filter, 'asc', opts, d * DAY_MS, (d + 1) * DAY_MS)];
    const key = (s: Slot): number => rnd(11 + s.region + (s.ghost ? 97 : 0), s.t);
    day.sort((a, b) => key(a) - key(b));
    yield* day;
  }
}

export function exportPlan(
  dataset: DatasetId,
  format: string,
  q: URLSearchParams,
  opts: DataOptions,
  shuffle: boolean,
): Plan {
  if (format !== 'json' && format !== 'jsonl') {
    throw restError(`Invalid value for format: "${format}" is not served by this stand-in (json, jsonl).`);
  }
  const limit = intParam(q, 'limit') ?? -1;
  if (limit < -1)
    throw restError(`Invalid value for limit API parameter: ${limit} was found but limit >= -1 is expected.`);
  const common = parseCommon(dataset, q);
  const factory = new RowFactory(dataset, opts, common.timeZone);
  const source = shuffle
    ? unordered(factory, common, opts)
    : matching(factory, common.filter, common.order, opts);
  function* pieces(): Generator<string> {
    let n = 0;
    if (format === 'json') yield '[';
    for (const slot of source) {
      if (limit !== -1 && n >= limit) break;
      const text = JSON.stringify(project(factory.row(slot), common.select));
      yield format === 'json' ? (n === 0 ? text : `,${text}`) : `${text}\n`;
      n++;
    }
    if (format === 'json') yield ']';
  }
  return {
    status: 200,
    headers: {
      'Content-Type': format === 'json' ? JSON_TYPE : 'application/jsonl; charset=utf-8',
      'Content-Disposition': `attachment; filename="${dataset}.${format}"`,
    },
    pieces: pieces(),
  };
}
