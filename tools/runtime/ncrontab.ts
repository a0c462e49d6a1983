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
import {
  ceil,
  daysInMonth,
  FIELDS,
  MAX_DAYS_IN_MONTH,
  parseField,
  NcrontabError,
  type ValueSet,
} from './cronFields';

export { NcrontabError } from './cronFields';

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
