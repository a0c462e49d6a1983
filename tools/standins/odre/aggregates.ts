/**
 * Aggregates on the records endpoint, as the Explore API v2.1 answers them (select with
 * `min(date_heure)`, `max(date_heure)`, `count(*)`, aliases with `as`, and `group_by` one field):
 * the coverage request a client makes to find the instants a dataset holds, e.g.
 * `select=nature, min(date_heure) as first, max(date_heure) as last&group_by=nature`
 * (used so by the public ingester Erhazya/ampere, src/ampere/sources/eco2mix.py).
 * A result key is the alias, else the expression as written.
 */
import { datasetSpec, type DatasetId } from '../../../shared/datasets';
import { availableRange, formatDateHeure, REGIONS, RowFactory, type DataOptions } from './data';
import { OdsqlError, parseWhere, type WhereFilter } from './odsql';
import { jsonPlan, type Plan } from './plan';
import { matching, odsql, parseTimeZone } from './query';
import { GENERATORS } from './rows';
import type { Row } from './rows/types';

type Item = { key: string; fn: 'min' | 'max' | 'count' } | { key: string; fn: 'field'; field: string };

const AGGREGATE = /\(/;

export function isAggregateSelect(select: string | null): boolean {
  return select !== null && AGGREGATE.test(select);
}

function parseItems(select: string, groupBy: string | null): Item[] {
  return select.split(',').map((raw) => {
    const text = raw.trim();
    const m = /^(.*?)(?:\s+as\s+([A-Za-z_][A-Za-z0-9_]*))?$/i.exec(text);
    const expr = (m?.[1] ?? text).trim();
    const key = m?.[2] ?? expr;
    const fn = /^(min|max)\s*\(\s*`?date_heure`?\s*\)$/i.exec(expr);
    if (fn) return { key, fn: (fn[1] ?? '').toLowerCase() as 'min' | 'max' };
    if (/^count\s*\(\s*\*\s*\)$/i.test(expr)) return { key, fn: 'count' };
    const field = /^`?([A-Za-z_][A-Za-z0-9_]*)`?$/.exec(expr)?.[1];
    if (field !== undefined) {
      if (field !== groupBy) throw new OdsqlError(`field "${field}" in select must appear in group_by`);
      return { key, fn: 'field', field };
    }
    throw new OdsqlError(`unsupported select expression "${text}"`);
  });
}

interface Group {
  value: string | null;
  filter: WhereFilter;
}

function groupsOf(
  dataset: DatasetId,
  filter: WhereFilter,
  groupBy: string | null,
  opts: DataOptions,
): Group[] {
  if (groupBy === null) return [{ value: null, filter }];
  const spec = datasetSpec(dataset);
  const gen = GENERATORS[dataset];
  if (groupBy === 'nature') {
    return gen.natures(availableRange(dataset, opts)).map((p) => ({
      value: p.nature,
      filter: { ...filter, from: Math.max(filter.from, p.from), to: Math.min(filter.to, p.to) },
    }));
  }
  if (spec.rowKey !== null && (groupBy === spec.rowKey || groupBy === 'libelle_region')) {
    return REGIONS.map((r) => {
      const value = groupBy === spec.rowKey ? r.code : r.name;
      return { value, filter: { ...filter, equals: [...filter.equals, { field: groupBy, value }] } };
    }).sort((a, b) => String(a.value).localeCompare(String(b.value)));
  }
  if (spec.rowKey === null && groupBy === 'perimetre') return [{ value: 'France', filter }];
  throw new OdsqlError(`unsupported group_by "${groupBy}"`);
}

function count(it: Iterator<unknown>): number {
  let n = 0;
  while (!it.next().done) n++;
  return n;
}

export function aggregatePlan(
  dataset: DatasetId,
  q: URLSearchParams,
  opts: DataOptions,
  page: { limit: number; offset: number },
): Plan {
  const timeZone = parseTimeZone(q);
  const groupBy =
    q
      .get('group_by')
      ?.trim()
      .replace(/^`(.*)`$/, '$1') || null;
  const { items, groups } = odsql(() => {
    const filter = parseWhere(q.get('where') ?? undefined, dataset);
    return {
      items: parseItems(q.get('select') ?? groupBy ?? '', groupBy),
      groups: groupsOf(dataset, filter, groupBy, opts),
    };
  });
  const factory = new RowFactory(dataset, opts, timeZone);
  const results: Row[] = [];
  for (const g of groups) {
    const first = matching(factory, g.filter, 'asc', opts).next();
    if (first.done && groupBy !== null) continue;
    const row: Row = {};
    for (const item of items) {
      if (item.fn === 'field') row[item.key] = g.value;
      else if (item.fn === 'count') {
        row[item.key] = count(matching(factory, g.filter, 'asc', opts));
      } else {
        const hit = item.fn === 'min' ? first : matching(factory, g.filter, 'desc', opts).next();
        row[item.key] = hit.done ? null : formatDateHeure(hit.value.t, timeZone);
      }
    }
    results.push(row);
  }
  return jsonPlan(200, {
    total_count: results.length,
    results: results.slice(page.offset, page.offset + page.limit),
  });
}
