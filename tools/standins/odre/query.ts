/** The query parameters records and exports share (where, order_by, select, timezone), and the rows they match. */
import type { DatasetId } from '../../../shared/datasets';
import { assertTimeZone, slots, type DataOptions, type RowFactory } from './data';
import { OdsqlError, parseOrderBy, parseSelect, parseWhere, type WhereFilter } from './odsql';
import { odsqlError, restError } from './plan';
import type { Row, Slot } from './rows/types';

export interface CommonQuery {
  filter: WhereFilter;
  order: 'asc' | 'desc';
  select: string[] | null;
  timeZone: string;
}

export function parseTimeZone(q: URLSearchParams): string {
  const timeZone = q.get('timezone') ?? 'UTC';
  try {
    assertTimeZone(timeZone);
  } catch {
    throw restError(`Invalid value for timezone API parameter: ${timeZone} is not a valid time zone.`);
  }
  return timeZone;
}

/** Runs an ODSQL parser, turning its errors into the portal's 400 body. */
export function odsql<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof OdsqlError) throw odsqlError(e.message);
    throw e;
  }
}

export function parseCommon(dataset: DatasetId, q: URLSearchParams, withSelect = true): CommonQuery {
  const timeZone = parseTimeZone(q);
  return odsql(() => ({
    filter: parseWhere(q.get('where') ?? undefined, dataset),
    order: parseOrderBy(q.get('order_by') ?? undefined),
    select: withSelect ? parseSelect(q.get('select') ?? undefined, dataset) : null,
    timeZone,
  }));
}

export function intParam(q: URLSearchParams, name: string): number | null {
  const raw = q.get(name);
  if (raw === null) return null;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw restError(`Invalid value for ${name} API parameter: ${raw} is not a valid integer.`);
  }
  return Number(raw.trim());
}

export function project(row: Row, select: string[] | null): Row {
  if (!select) return row;
  const out: Row = {};
  for (const f of select) out[f] = row[f] ?? null;
  return out;
}

function rowMatches(factory: RowFactory, filter: WhereFilter, slot: Slot): boolean {
  if (filter.equals.length === 0) return true;
  const cheap = filter.equals.every((e) => factory.identityFields.has(e.field));
  const row = cheap ? factory.identity(slot) : factory.row(slot);
  return filter.equals.every((e) => {
    const v = row[e.field];
    return v !== null && v !== undefined && String(v) === e.value;
  });
}

/** The slots in the filter's window that pass its equality tests, in date order. */
export function* matching(
  factory: RowFactory,
  filter: WhereFilter,
  order: 'asc' | 'desc',
  opts: DataOptions,
  from = filter.from,
  to = filter.to,
): Generator<Slot> {
  const lo = Math.max(from, filter.from);
  const hi = Math.min(to, filter.to);
  for (const slot of slots(factory.dataset, lo, hi, opts, order)) {
    if (rowMatches(factory, filter, slot)) yield slot;
  }
}
