/** The schedule monitor's status file (`{last, next, lastUpdated}`) and how the host reads it back at start. */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { Timer } from '@azure/functions';
import type { TimerSchedule } from './ncrontab';
import { latestOccurrence } from './timerSchedules';

/** The host's "never" (DateTime.MinValue) for `last` before the first occurrence. */
export const NEVER = new Date('0001-01-01T00:00:00.000Z');
const NEVER_THRESHOLD = Date.UTC(1971, 0, 1);

export interface ScheduleStatus {
  last: number;
  next: number;
  lastUpdated: number;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function readStatus(file: string): ScheduleStatus | 'missing' | 'corrupt' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const parse = (v: unknown): number => (typeof v === 'string' ? Date.parse(v) : NaN);
    const status = { last: parse(raw.last), next: parse(raw.next), lastUpdated: parse(raw.lastUpdated) };
    if (Object.values(status).some((v) => Number.isNaN(v))) return 'corrupt';
    return status;
  } catch {
    return 'corrupt';
  }
}

/** temp file + fsync + rename: a crash leaves either the old or the new status, never half a file. */
export function writeStatus(file: string, status: ScheduleStatus): void {
  const text = JSON.stringify(
    { last: iso(status.last), next: iso(status.next), lastUpdated: iso(status.lastUpdated) },
    null,
    2,
  );
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** The status to start from, whether the recorded `next` has passed (fire once, past due) and whether to write it. */
export function recoverStatus(
  name: string,
  schedule: TimerSchedule,
  stored: ScheduleStatus | 'missing' | 'corrupt',
  startNow: number,
  catchUpNeverRun: boolean,
  log: (line: string) => void,
): { status: ScheduleStatus; pastDue: boolean; write: boolean } {
  if (stored === 'corrupt') log(`[timer] ${name}: schedule status file is unreadable; starting afresh`);
  const fresh = {
    last: NEVER.getTime(),
    next: schedule.next(new Date(startNow)).getTime(),
    lastUpdated: startNow,
  };
  const latest = catchUpNeverRun ? latestOccurrence(schedule, startNow) : undefined;
  if (typeof stored === 'string' && latest !== undefined) {
    const before = latestOccurrence(schedule, latest - 1);
    log(`[timer] ${name}: the ${iso(latest)} occurrence never ran; firing it now, past due`);
    return {
      status: { last: NEVER.getTime(), next: latest, lastUpdated: before ?? latest },
      pastDue: true,
      write: true,
    };
  }
  if (typeof stored === 'string') return { status: fresh, pastDue: false, write: true };
  // Recompute `next` from the time it was last computed, in case the schedule changed.
  const base =
    stored.last > NEVER_THRESHOLD
      ? stored.last
      : stored.lastUpdated > NEVER_THRESHOLD
        ? stored.lastUpdated
        : startNow;
  let expected = schedule.next(new Date(base)).getTime();
  let lastUpdated = base;
  if (stored.next === expected) return { status: stored, pastDue: startNow > stored.next, write: false };
  // The schedule changed: an occurrence of the new schedule that has already passed is not "missed".
  if (startNow > expected) {
    expected = schedule.next(new Date(startNow)).getTime();
    lastUpdated = startNow;
  }
  log(`[timer] ${name}: schedule changed since the status was recorded; next ${iso(expected)}`);
  const status = { last: NEVER.getTime(), next: expected, lastUpdated };
  return { status, pastDue: startNow > status.next, write: true };
}

/** The `Timer` a timer function receives. Without the monitor the host passes no status (null), whatever the type says. */
export function timerPayload(
  isPastDue: boolean,
  adjustForDST: boolean,
  status: ScheduleStatus | null,
): Timer {
  return {
    isPastDue,
    schedule: { adjustForDST },
    scheduleStatus: status
      ? { last: iso(status.last), next: iso(status.next), lastUpdated: iso(status.lastUpdated) }
      : null,
  } as unknown as Timer;
}
