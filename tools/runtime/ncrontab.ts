/**
 * NCRONTAB schedules as the Azure Functions timer trigger reads them.
 *
 * Six fields, seconds first: `{second} {minute} {hour} {day} {month} {day-of-week}`.
 * Each field accepts `*`, single values, lists `a,b`, ranges `a-b`, steps `*\/n`, `a-b/n`
 * and `a/n` (from a to the field's maximum), month names (Jan..Dec or January..December)
 * and day names (Sun..Sat or Sunday..Saturday), case-insensitive. Day of week is 0-6, 0 = Sunday.
 *
 * Day-of-month and day-of-week are combined with AND, like NCrontab (not the OR of Vixie cron):
 * `0 0 0 13 * 5` fires only on Friday the 13th.
 *
 * All computations are in UTC, which is what Azure uses on Linux unless `WEBSITE_TIME_ZONE`
 * is set; this module has no time-zone support.
 *
 * `parseTimerSchedule` additionally accepts the TimeSpan form the host supports on dedicated
 * plans (`hh:mm:ss`, `d.hh:mm:ss`): a constant interval, next = after + interval.
 */

export class NcrontabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NcrontabError';
  }
}

export interface Ncrontab {
  /** The expression as given (trimmed). */
  readonly expression: string;
  /** The first occurrence strictly after `after` (UTC, whole seconds). */
  next(after: Date): Date;
}

export interface TimerSchedule {
  readonly kind: 'cron' | 'interval';
  readonly expression: string;
  /** Whether the host reports `schedule.adjustForDST` for this schedule (cron: true, interval: false). */
  readonly adjustForDST: boolean;
  next(after: Date): Date;
}

interface FieldSpec {
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

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 6, names: DAY_NAMES },
];

/** Longest days-in-month per month (February counts its leap day). */
const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** A field's allowed values: sorted ascending, no duplicates. */
type ValueSet = readonly number[];

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

function parseField(spec: FieldSpec, text: string): ValueSet {
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
function ceil(values: ValueSet, v: number): number | undefined {
  for (const candidate of values) if (candidate >= v) return candidate;
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Years to search before concluding a schedule never fires (unreachable for validated schedules). */
const SEARCH_YEARS = 400;

class CronSchedule implements Ncrontab {
  private readonly seconds: ValueSet;
  private readonly minutes: ValueSet;
  private readonly hours: ValueSet;
  private readonly days: ValueSet;
  private readonly months: ValueSet;
  private readonly weekdays: ReadonlySet<number>;

  constructor(
    readonly expression: string,
    sets: readonly ValueSet[],
  ) {
    const [seconds = [], minutes = [], hours = [], days = [], months = [], weekdays = []] = sets;
    this.seconds = seconds;
    this.minutes = minutes;
    this.hours = hours;
    this.days = days;
    this.months = months;
    this.weekdays = new Set(weekdays);
  }

  next(after: Date): Date {
    const afterMs = after.getTime();
    if (!Number.isFinite(afterMs)) throw new NcrontabError('next(): invalid date');
    // Strictly after, in whole seconds.
    const start = new Date((Math.floor(afterMs / 1000) + 1) * 1000);
    let year = start.getUTCFullYear();
    let month = start.getUTCMonth() + 1;
    let day = start.getUTCDate();
    let hour = start.getUTCHours();
    let minute = start.getUTCMinutes();
    let second = start.getUTCSeconds();
    const lastYear = year + SEARCH_YEARS;

    // Each step either returns or moves the candidate forward to the next time that can match,
    // resetting the smaller fields; bounded because every step advances at least one unit.
    while (year <= lastYear) {
      const m = ceil(this.months, month);
      if (m === undefined) {
        year += 1;
        month = 1;
        day = 1;
        hour = minute = second = 0;
        continue;
      }
      if (m !== month) {
        month = m;
        day = 1;
        hour = minute = second = 0;
      }
      const d = ceil(this.days, day);
      if (d === undefined || d > daysInMonth(year, month)) {
        month += 1;
        day = 1;
        hour = minute = second = 0;
        continue;
      }
      if (d !== day) {
        day = d;
        hour = minute = second = 0;
      }
      if (!this.weekdays.has(new Date(Date.UTC(year, month - 1, day)).getUTCDay())) {
        day += 1;
        hour = minute = second = 0;
        continue;
      }
      const h = ceil(this.hours, hour);
      if (h === undefined) {
        day += 1;
        hour = minute = second = 0;
        continue;
      }
      if (h !== hour) {
        hour = h;
        minute = second = 0;
      }
      const mi = ceil(this.minutes, minute);
      if (mi === undefined) {
        hour += 1;
        minute = second = 0;
        continue;
      }
      if (mi !== minute) {
        minute = mi;
        second = 0;
      }
      const s = ceil(this.seconds, second);
      if (s === undefined) {
        minute += 1;
        second = 0;
        continue;
      }
      return new Date(Date.UTC(year, month - 1, day, hour, minute, s));
    }
    throw new NcrontabError(`"${this.expression}" has no occurrence within ${SEARCH_YEARS} years`);
  }
}

/** Parses a six-field NCRONTAB expression. Throws NcrontabError with the field and value at fault. */
export function parseNcrontab(expr: string): Ncrontab {
  const expression = expr.trim();
  const parts = expression === '' ? [] : expression.split(/\s+/);
  if (parts.length !== FIELDS.length) {
    let message =
      `NCRONTAB expression "${expression}" has ${parts.length} field(s); expected 6: ` +
      '{second} {minute} {hour} {day} {month} {day-of-week}';
    if (parts.length === 5) {
      message += `. NCRONTAB puts seconds first: did you mean "0 ${expression}"?`;
    }
    throw new NcrontabError(message);
  }
  const sets = FIELDS.map((spec, i) => parseField(spec, parts[i] ?? ''));
  const [, , , days = [], months = []] = sets;
  const possible = months.some((m) => days.some((d) => d <= (MAX_DAYS_IN_MONTH[m - 1] ?? 0)));
  if (!possible) {
    throw new NcrontabError(
      `NCRONTAB expression "${expression}": day ${parts[3] ?? ''} never occurs in month ${parts[4] ?? ''}`,
    );
  }
  return new CronSchedule(expression, sets);
}

const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Parses a timer trigger schedule: an NCRONTAB expression, or a TimeSpan `[d.]hh:mm[:ss]`
 * (a constant interval; the host only allows it on dedicated plans).
 */
export function parseTimerSchedule(expr: string): TimerSchedule {
  const expression = expr.trim();
  const span = TIMESPAN.exec(expression);
  if (span) {
    const [, d = '0', h = '0', m = '0', s = '0'] = span;
    const hours = Number(h);
    const minutes = Number(m);
    const seconds = Number(s);
    if (hours > 23 || minutes > 59 || seconds > 59) {
      throw new NcrontabError(
        `TimeSpan schedule "${expression}": hours must be 0-23, minutes and seconds 0-59`,
      );
    }
    const intervalMs = (((Number(d) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
    if (intervalMs <= 0)
      throw new NcrontabError(`TimeSpan schedule "${expression}": interval must be positive`);
    return {
      kind: 'interval',
      expression,
      adjustForDST: false,
      next: (after: Date) => new Date(after.getTime() + intervalMs),
    };
  }
  const cron = parseNcrontab(expression);
  return { kind: 'cron', expression, adjustForDST: true, next: (after: Date) => cron.next(after) };
}
