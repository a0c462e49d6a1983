/**
 * The subset of ODSQL the stand-in understands: `date_heure` compared with `date'...'` literals,
 * text fields compared for equality, joined by `and`; `select` lists and `order_by=date_heure`.
 * Anything else is rejected the way the portal rejects a malformed query, so a client relying on
 * an unsupported construct fails loudly in tests rather than silently receiving everything.
 */
import type { DatasetId } from '../../../shared/constants';
import { fieldsOf, textFieldsOf } from './data';

export class OdsqlError extends Error {
  constructor(detail: string) {
    super(`ODSQL query is malformed: ${detail}`);
    this.name = 'OdsqlError';
  }
}

export interface WhereFilter {
  /** Inclusive lower bound on date_heure, epoch ms. */
  from: number;
  /** Exclusive upper bound on date_heure, epoch ms. */
  to: number;
  /** Text equalities, all of which must hold. */
  equals: Array<{ field: string; value: string }>;
}

type Token =
  | { kind: 'ident'; value: string; pos: number }
  | { kind: 'op'; value: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'date'; value: string; pos: number }
  | { kind: 'number'; value: string; pos: number }
  | { kind: 'other'; value: string; pos: number };

function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) throw new OdsqlError(`unterminated string literal at position ${start}`);
    if (c === quote) {
      if (text[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    if (c === '\\' && text[i + 1] !== undefined) {
      value += text[i + 1];
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const op = /^(>=|<=|<>|!=|=|>|<)/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', value: op[0], pos: i });
      i += op[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const q = readQuoted(text, i);
      tokens.push({ kind: 'string', value: q.value, pos: i });
      i = q.end;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new OdsqlError(`unterminated field name at position ${i}`);
      tokens.push({ kind: 'ident', value: text.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      const w = word[0];
      const next = text[i + w.length];
      if (w.toLowerCase() === 'date' && (next === "'" || next === '"')) {
        const q = readQuoted(text, i + w.length);
        tokens.push({ kind: 'date', value: q.value, pos: i });
        i = q.end;
        continue;
      }
      tokens.push({ kind: 'ident', value: w, pos: i });
      i += w.length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      tokens.push({ kind: 'number', value: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    tokens.push({ kind: 'other', value: c, pos: i });
    i++;
  }
  return tokens;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses a `date'...'` literal; a literal without an offset is read as UTC. */
export function parseDateLiteral(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) throw new OdsqlError(`invalid date literal date'${text}'`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
  if (!Number.isFinite(ms)) throw new OdsqlError(`invalid date literal date'${text}'`);
  return ms;
}

function describe(t: Token | undefined): string {
  if (!t) return 'end of query';
  return `'${t.value}' at position ${t.pos}`;
}

export function parseWhere(where: string | undefined, dataset: DatasetId): WhereFilter {
  const filter: WhereFilter = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY, equals: [] };
  if (where === undefined || where.trim() === '') return filter;
  const tokens = tokenize(where);
  const fields = fieldsOf(dataset);
  const textFields = textFieldsOf(dataset);
  let i = 0;
  for (;;) {
    const field = tokens[i];
    const op = tokens[i + 1];
    const lit = tokens[i + 2];
    if (field?.kind !== 'ident') throw new OdsqlError(`expected a field name, found ${describe(field)}`);
    if (['or', 'not', 'and'].includes(field.value.toLowerCase())) {
      throw new OdsqlError(`unsupported operator ${describe(field)}`);
    }
    if (!fields.includes(field.value)) throw new OdsqlError(`unknown field "${field.value}"`);
    if (op?.kind !== 'op') throw new OdsqlError(`expected a comparison operator, found ${describe(op)}`);
    if (op.value === '<>' || op.value === '!=') throw new OdsqlError(`unsupported operator ${describe(op)}`);
    if (field.value === 'date_heure') {
      if (lit?.kind !== 'date') {
        throw new OdsqlError(`date_heure must be compared with a date'...' literal, found ${describe(lit)}`);
      }
      const ms = parseDateLiteral(lit.value);
      if (op.value === '>=') filter.from = Math.max(filter.from, ms);
      else if (op.value === '>') filter.from = Math.max(filter.from, ms + 1);
      else if (op.value === '<') filter.to = Math.min(filter.to, ms);
      else if (op.value === '<=') filter.to = Math.min(filter.to, ms + 1);
      else {
        filter.from = Math.max(filter.from, ms);
        filter.to = Math.min(filter.to, ms + 1);
      }
    } else if (textFields.has(field.value)) {
      if (op.value !== '=') {
        throw new OdsqlError(
          `ordered comparison ${describe(op)} is not allowed on text field "${field.value}"`,
        );
      }
      if (lit?.kind !== 'string') throw new OdsqlError(`expected a string literal, found ${describe(lit)}`);
      filter.equals.push({ field: field.value, value: lit.value });
    } else {
      throw new OdsqlError(`filtering on numeric field "${field.value}" is not supported`);
    }
    i += 3;
    const next = tokens[i];
    if (next === undefined) return filter;
    if (next.kind !== 'ident' || next.value.toLowerCase() !== 'and') {
      throw new OdsqlError(`expected 'and' or end of query, found ${describe(next)}`);
    }
    i++;
  }
}

export function parseOrderBy(orderBy: string | undefined): 'asc' | 'desc' {
  if (orderBy === undefined || orderBy.trim() === '') return 'asc';
  const m = /^\s*`?date_heure`?(?:\s+(asc|desc))?\s*$/i.exec(orderBy);
  if (!m) throw new OdsqlError(`unsupported order_by "${orderBy}" (only date_heure [asc|desc])`);
  return m[1]?.toLowerCase() === 'desc' ? 'desc' : 'asc';
}

/** Null means every field. */
export function parseSelect(select: string | undefined, dataset: DatasetId): string[] | null {
  if (select === undefined || select.trim() === '' || select.trim() === '*') return null;
  const fields = fieldsOf(dataset);
  const out: string[] = [];
  for (const raw of select.split(',')) {
    const name = raw.trim().replace(/^`(.*)`$/, '$1');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new OdsqlError(`unsupported select expression "${raw.trim()}"`);
    if (!fields.includes(name)) throw new OdsqlError(`unknown field "${name}" in select`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
