import { NcrontabError, parseNcrontab, parseTimerSchedule } from '../../../tools/runtime/ncrontab';

const at = (iso: string): Date => new Date(iso);
const nextIso = (expr: string, after: string): string => parseNcrontab(expr).next(at(after)).toISOString();

function expectError(expr: string, message: string): void {
  let caught: unknown;
  try {
    parseNcrontab(expr);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(NcrontabError);
  expect((caught as Error).message).toBe(message);
}

describe('parseNcrontab().next', () => {
  it('finds the next quarter hour', () => {
    expect(nextIso('0 */15 * * * *', '2024-03-10T06:07:30Z')).toBe('2024-03-10T06:15:00.000Z');
  });

  it('is strictly after an exact occurrence', () => {
    expect(nextIso('0 */15 * * * *', '2024-03-10T06:15:00Z')).toBe('2024-03-10T06:30:00.000Z');
    expect(nextIso('0 */15 * * * *', '2024-03-10T06:14:59.999Z')).toBe('2024-03-10T06:15:00.000Z');
  });

  it('rolls over days, months and years', () => {
    expect(nextIso('0 */15 * * * *', '2024-03-10T23:50:00Z')).toBe('2024-03-11T00:00:00.000Z');
    expect(nextIso('0 0 0 * * *', '2024-04-30T12:00:00Z')).toBe('2024-05-01T00:00:00.000Z');
    expect(nextIso('0 0 0 1 * *', '2024-12-15T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(nextIso('0 0 0 31 * *', '2024-04-01T00:00:00Z')).toBe('2024-05-31T00:00:00.000Z');
  });

  it('finds the next leap day', () => {
    expect(nextIso('0 0 0 29 2 *', '2024-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(nextIso('0 0 0 29 Feb *', '2099-01-01T00:00:00Z')).toBe('2104-02-29T00:00:00.000Z');
  });

  it('handles weekday ranges (0 = Sunday)', () => {
    // 2024-03-08 is a Friday
    expect(nextIso('0 30 9 * * 1-5', '2024-03-08T09:30:00Z')).toBe('2024-03-11T09:30:00.000Z');
    expect(nextIso('0 30 9 * * 1-5', '2024-03-11T08:00:00Z')).toBe('2024-03-11T09:30:00.000Z');
    expect(nextIso('0 0 12 * * 0', '2024-03-08T00:00:00Z')).toBe('2024-03-10T12:00:00.000Z');
  });

  it('accepts month and day names, lists, ranges with steps and a/n', () => {
    expect(nextIso('0 0 8 * Jan,JUL Mon', '2024-03-08T00:00:00Z')).toBe('2024-07-01T08:00:00.000Z');
    expect(nextIso('0 0 8 * * saturday', '2024-03-08T00:00:00Z')).toBe('2024-03-09T08:00:00.000Z');
    expect(nextIso('0 0 1-10/3 * * *', '2024-03-08T04:00:00Z')).toBe('2024-03-08T07:00:00.000Z');
    expect(nextIso('5/20 * * * * *', '2024-03-08T00:00:26Z')).toBe('2024-03-08T00:00:45.000Z');
    expect(nextIso('10,20 0 0 * * *', '2024-03-08T00:00:10Z')).toBe('2024-03-08T00:00:20.000Z');
  });

  it('combines day-of-month and day-of-week with AND (Friday the 13th)', () => {
    expect(nextIso('0 0 0 13 * Fri', '2024-01-01T00:00:00Z')).toBe('2024-09-13T00:00:00.000Z');
  });

  it('ignores sub-second parts and keeps a trimmed expression', () => {
    const cron = parseNcrontab('  * * * * * *  ');
    expect(cron.expression).toBe('* * * * * *');
    expect(cron.next(at('2024-03-08T00:00:00.500Z')).toISOString()).toBe('2024-03-08T00:00:01.000Z');
  });
});

describe('parseNcrontab errors', () => {
  it.each([
    ['0 */0 * * * *', 'minute field "*/0": step must be ≥ 1'],
    ['60 * * * * *', 'second field "60": 60 is out of range 0-59'],
    ['0 0 24 * * *', 'hour field "24": 24 is out of range 0-23'],
    ['0 0 0 0 * *', 'day field "0": 0 is out of range 1-31'],
    ['0 0 0 * Foo *', 'month field "Foo": "Foo" is not a number or month name'],
    ['0 0 0 * * 7', 'day-of-week field "7": 7 is out of range 0-6'],
    ['0 0 0 * * Fr', 'day-of-week field "Fr": "Fr" is not a number or day name'],
    ['0 0 10-5 * * *', 'hour field "10-5": range start 10 is greater than end 5'],
    ['0 0 1-2-3 * * *', 'hour field "1-2-3": "1-2-3" is not a valid range'],
    ['0 0 1,,2 * * *', 'hour field "1,,2": empty list item'],
    ['0 0 */x * * *', 'hour field "*/x": step "x" is not a number'],
    ['0 0 1/2/3 * * *', 'hour field "1/2/3": "1/2/3" has more than one "/"'],
    ['0 0 x * * *', 'hour field "x": "x" is not a number'],
    ['0 0 0 30 2 *', 'NCRONTAB expression "0 0 0 30 2 *": day 30 never occurs in month 2'],
    [
      '*/5 * * * *',
      'NCRONTAB expression "*/5 * * * *" has 5 field(s); expected 6: {second} {minute} {hour} {day} {month} {day-of-week}. ' +
        'NCRONTAB puts seconds first: did you mean "0 */5 * * * *"?',
    ],
    [
      '',
      'NCRONTAB expression "" has 0 field(s); expected 6: {second} {minute} {hour} {day} {month} {day-of-week}',
    ],
  ])('%j', (expr, message) => expectError(expr, message));
});

describe('parseTimerSchedule', () => {
  it('wraps NCRONTAB expressions', () => {
    const schedule = parseTimerSchedule('0 */5 * * * *');
    expect(schedule.kind).toBe('cron');
    expect(schedule.adjustForDST).toBe(true);
    expect(schedule.next(at('2024-03-08T00:01:00Z')).toISOString()).toBe('2024-03-08T00:05:00.000Z');
  });

  it('accepts TimeSpan intervals', () => {
    const schedule = parseTimerSchedule('01:30:00');
    expect(schedule.kind).toBe('interval');
    expect(schedule.adjustForDST).toBe(false);
    expect(schedule.next(at('2024-03-08T00:01:00Z')).toISOString()).toBe('2024-03-08T01:31:00.000Z');
    expect(parseTimerSchedule('1.00:00:00').next(at('2024-03-08T00:00:00Z')).toISOString()).toBe(
      '2024-03-09T00:00:00.000Z',
    );
  });

  it('rejects bad TimeSpans', () => {
    expect(() => parseTimerSchedule('00:00:00')).toThrow(
      'TimeSpan schedule "00:00:00": interval must be positive',
    );
    expect(() => parseTimerSchedule('25:00:00')).toThrow(
      'TimeSpan schedule "25:00:00": hours must be 0-23, minutes and seconds 0-59',
    );
  });
});
