/** The six NCRONTAB fields: their ranges and names, and how one field's text becomes its allowed values. */

export class NcrontabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NcrontabError';
  }
}

export interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;
const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

export const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 6, names: DAY_NAMES },
];

/** Longest days-in-month per month (February counts its leap day). */
export const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** A field's allowed values: sorted ascending, no duplicates. */
export type ValueSet = readonly number[];

function fieldError(spec: FieldSpec, text: string, problem: string): NcrontabError {
  return new NcrontabError(`${spec.name} field "${text}": ${problem}`);
}

function parseValue(spec: FieldSpec, fieldText: string, token: string): number {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) {
      throw fieldError(spec, fieldText, `${value} is out of range ${spec.min}-${spec.max}`);
    }
    return value;
  }
  if (spec.names) {
    const lower = token.toLowerCase();
    const index = spec.names.findIndex((n) => lower.length >= 3 && (n === lower || n.slice(0, 3) === lower));
    if (index >= 0) return index + spec.min;
    const kind = spec.name === 'month' ? 'month name' : 'day name';
    throw fieldError(spec, fieldText, `"${token}" is not a number or ${kind}`);
  }
  throw fieldError(spec, fieldText, `"${token}" is not a number`);
}

function parseStep(spec: FieldSpec, fieldText: string, token: string): number {
  if (!/^\d+$/.test(token)) throw fieldError(spec, fieldText, `step "${token}" is not a number`);
  const step = Number(token);
  if (step < 1) throw fieldError(spec, fieldText, 'step must be ≥ 1');
  return step;
}

export function parseField(spec: FieldSpec, text: string): ValueSet {
  const allowed = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw fieldError(spec, text, 'empty list item');
    const parts = item.split('/');
    if (parts.length > 2) throw fieldError(spec, text, `"${item}" has more than one "/"`);
    const [rangeText = '', stepText] = parts;
    const step = stepText === undefined ? 1 : parseStep(spec, text, stepText);
    let low: number;
    let high: number;
    if (rangeText === '*') {
      low = spec.min;
      high = spec.max;
    } else if (rangeText.includes('-')) {
      const bounds = rangeText.split('-');
      const [a = '', b = ''] = bounds;
      if (bounds.length !== 2 || a === '' || b === '') {
        throw fieldError(spec, text, `"${rangeText}" is not a valid range`);
      }
      low = parseValue(spec, text, a);
      high = parseValue(spec, text, b);
      if (low > high) throw fieldError(spec, text, `range start ${low} is greater than end ${high}`);
    } else if (rangeText === '') {
      throw fieldError(spec, text, `"${item}" has no value before "/"`);
    } else {
      low = parseValue(spec, text, rangeText);
      // `a/n` means every n-th value from a to the field maximum; a bare `a` is just a.
      high = stepText === undefined ? low : spec.max;
    }
    for (let v = low; v <= high; v += step) allowed.add(v);
  }
  return [...allowed].sort((x, y) => x - y);
}

/** Smallest allowed value ≥ v, or undefined. */
export function ceil(values: ValueSet, v: number): number | undefined {
  for (const candidate of values) if (candidate >= v) return candidate;
  return undefined;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
