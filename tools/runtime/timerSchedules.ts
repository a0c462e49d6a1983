/** Timer functions' schedules: app-setting references, validation, the monitor default, past occurrences. */
import { parseTimerSchedule, type TimerSchedule } from './ncrontab';
import type { RegisteredFunction } from './registry';

export class TimerHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimerHostError';
  }
}

/** Replaces `%NAME%` with the app setting, like the host's name resolver. */
export function resolveSchedule(
  name: string,
  schedule: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return schedule.replace(/%([^%\s]+)%/g, (_m, setting: string) => {
    const value = env[setting];
    if (value === undefined || value.trim() === '') {
      throw new TimerHostError(
        `timer function "${name}": schedule "${schedule}" refers to app setting "${setting}", which is not set`,
      );
    }
    return value;
  });
}

/** The latest occurrence at or before `at` (searching back up to about two years), or undefined. */
export function latestOccurrence(schedule: TimerSchedule, at: number): number | undefined {
  for (let span = 60 * 60 * 1000; span <= 2 * 366 * 24 * 60 * 60 * 1000; span *= 2) {
    let found: number | undefined;
    for (
      let t = schedule.next(new Date(at - span)).getTime();
      t <= at;
      t = schedule.next(new Date(t)).getTime()
    )
      found = t;
    if (found !== undefined) return found;
  }
  return undefined;
}

export function defaultUseMonitor(schedule: TimerSchedule, now: number): boolean {
  // The host turns the monitor off by default for schedules that fire more often than once a minute.
  let t = new Date(now);
  let minGap = Infinity;
  for (let i = 0; i < 4; i++) {
    const n = schedule.next(t);
    if (i > 0) minGap = Math.min(minGap, n.getTime() - t.getTime());
    t = n;
  }
  return minGap >= 60_000;
}

/** A timer function's schedule and monitor setting, validated (throws TimerHostError on a bad schedule). */
export function timerScheduleOf(
  fn: RegisteredFunction,
  env: Readonly<Record<string, string | undefined>>,
  now: number,
): { schedule: TimerSchedule; useMonitor: boolean } {
  const raw = fn.trigger.schedule;
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new TimerHostError(`timer function "${fn.name}" has no schedule`);
  const expression = resolveSchedule(fn.name, raw, env);
  let schedule: TimerSchedule;
  try {
    schedule = parseTimerSchedule(expression);
  } catch (err) {
    throw new TimerHostError(`timer function "${fn.name}": ${(err as Error).message}`);
  }
  const useMonitor =
    typeof fn.trigger.useMonitor === 'boolean' ? fn.trigger.useMonitor : defaultUseMonitor(schedule, now);
  return { schedule, useMonitor };
}

/** The next `count` occurrences after `from`, as ISO strings (the host logs them at start). */
export function occurrencesAfter(schedule: TimerSchedule, from: number, count: number): string[] {
  const out: string[] = [];
  for (let t = new Date(from), i = 0; i < count; i++) {
    t = schedule.next(t);
    out.push(t.toISOString());
  }
  return out;
}
