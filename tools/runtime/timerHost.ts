/**
 * Runs the app's `timerTrigger` functions on their NCRONTAB schedules, the way the Functions
 * timer extension does:
 *
 * - `%SETTING%` references in the schedule are resolved from the environment (app settings).
 * - With the schedule monitor (`useMonitor`, default on unless the schedule fires more often than
 *   once a minute) the status `{last, next, lastUpdated}` is persisted per function in
 *   `stateDir/timers/<name>.json`. At start, if the recorded `next` has passed (the process was
 *   down at a scheduled time) the function fires once, immediately, with `isPastDue: true`,
 *   however many occurrences were missed; the regular schedule then continues.
 * - `catchUpNeverRun` (the embedded host's `npm start`): a function with no recorded status yet
 *   (fresh task hub) treats its latest occurrence as missed and fires it at once, past due, with
 *   the status a host stopped just before that occurrence would have recorded
 *   `{last: never, next: latest, lastUpdated: the occurrence before}`.
 * - `runOnStartup` fires once at start (when not already firing because past due).
 * - Invocations of one function never overlap: a fire that comes while the previous invocation
 *   runs waits for it (the host's per-listener invocation lock), and the schedule is re-armed only
 *   after an invocation completes, so occurrences missed while it ran are skipped.
 * - Times are UTC (see ncrontab.ts).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Timer } from '@azure/functions';
import { parseTimerSchedule, type TimerSchedule } from './ncrontab';
import type { RegisteredFunction } from './registry';

export interface TimerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface TimerHostOptions {
  /** All registered functions; only `timerTrigger` ones are scheduled. */
  functions: RegisteredFunction[];
  clock: TimerClock;
  /** Schedule status lives in `stateDir/timers/<name>.json`. */
  stateDir: string;
  /** Invokes the function; a rejection is logged and does not stop the schedule. */
  fire(fn: RegisteredFunction, timer: Timer): Promise<void>;
  log?: (line: string) => void;
  /**
   * undefined: honour each binding's `runOnStartup`; true: fire every timer at start;
   * false: ignore `runOnStartup` (past-due catch-up still happens).
   */
  runOnStartup?: boolean;
  /** A function that never ran fires its latest occurrence at start, past due (default false). */
  catchUpNeverRun?: boolean;
  /** App settings for `%NAME%` references; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface TimerHost {
  /** Cancels pending timers; running invocations finish, queued ones are dropped. */
  stop(): void;
  /** The next occurrence each timer function waits for (the recorded `next`). */
  nextOccurrences(): Record<string, Date>;
  /** Functions that fire at start: why (pastDue or runOnStartup) and the occurrence. */
  startupFires(): Record<string, { kind: 'pastDue' | 'runOnStartup'; occurrence: Date }>;
  /**
   * Invokes a timer function now, through the same non-overlapping path as scheduled fires,
   * and records it like an occurrence at `scheduledTime` (default: now). Resolves when done.
   */
  fireNow(name: string, scheduledTime?: Date): Promise<void>;
}

export class TimerHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimerHostError';
  }
}

/** The host's "never" (DateTime.MinValue) for `last` before the first occurrence. */
export const NEVER = new Date('0001-01-01T00:00:00.000Z');
const NEVER_THRESHOLD = Date.UTC(1971, 0, 1);

/** Longest single wait handed to the clock (setTimeout caps at 2^31-1 ms ≈ 24.8 days). */
export const MAX_TIMER_DELAY_MS = 24 * 24 * 60 * 60 * 1000;

interface ScheduleStatus {
  last: number;
  next: number;
  lastUpdated: number;
}

type InvocationKind = 'scheduled' | 'pastDue' | 'runOnStartup' | 'manual';

interface Entry {
  fn: RegisteredFunction;
  name: string;
  schedule: TimerSchedule;
  useMonitor: boolean;
  file: string;
  status: ScheduleStatus;
  handle: unknown;
  armed: boolean;
  /** Invocations started or waiting. */
  pending: number;
  /** Tail of the invocation queue. */
  chain: Promise<void>;
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

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function readStatus(file: string): ScheduleStatus | 'missing' | 'corrupt' {
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
function writeStatus(file: string, status: ScheduleStatus): void {
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

function defaultUseMonitor(schedule: TimerSchedule, now: number): boolean {
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

export function startTimerHost(opts: TimerHostOptions): TimerHost {
  const { clock } = opts;
  const log = opts.log ?? ((): void => undefined);
  const env = opts.env ?? process.env;
  const dir = join(opts.stateDir, 'timers');
  let stopped = false;

  const entries: Entry[] = [];
  const startNow = clock.now();
  // Validate everything before touching state or arming anything.
  for (const fn of opts.functions) {
    if (fn.triggerType.toLowerCase() !== 'timertrigger') continue;
    const raw = fn.trigger.schedule;
    if (typeof raw !== 'string' || raw.trim() === '') {
      throw new TimerHostError(`timer function "${fn.name}" has no schedule`);
    }
    const expression = resolveSchedule(fn.name, raw, env);
    let schedule: TimerSchedule;
    try {
      schedule = parseTimerSchedule(expression);
    } catch (err) {
      throw new TimerHostError(`timer function "${fn.name}": ${(err as Error).message}`);
    }
    const useMonitor =
      typeof fn.trigger.useMonitor === 'boolean'
        ? fn.trigger.useMonitor
        : defaultUseMonitor(schedule, startNow);
    entries.push({
      fn,
      name: fn.name,
      schedule,
      useMonitor,
      file: join(dir, `${encodeURIComponent(fn.name)}.json`),
      status: {
        last: NEVER.getTime(),
        next: schedule.next(new Date(startNow)).getTime(),
        lastUpdated: startNow,
      },
      handle: undefined,
      armed: false,
      pending: 0,
      chain: Promise.resolve(),
    });
  }
  if (entries.some((e) => e.useMonitor)) mkdirSync(dir, { recursive: true });

  const persist = (e: Entry): void => {
    if (!e.useMonitor) return;
    try {
      writeStatus(e.file, e.status);
    } catch (err) {
      // Best effort, like the host: a failed status write must not stop the schedule.
      log(`[timer] ${e.name}: could not write schedule status: ${(err as Error).message}`);
    }
  };

  const disarm = (e: Entry): void => {
    if (e.armed) clock.clearTimeout(e.handle);
    e.armed = false;
    e.handle = undefined;
  };

  /** Waits until `target`, in chunks no longer than MAX_TIMER_DELAY_MS, then runs `then`. */
  const armAt = (e: Entry, target: number, then: () => void): void => {
    disarm(e);
    if (stopped) return;
    const delay = Math.max(0, target - clock.now());
    e.armed = true;
    if (delay > MAX_TIMER_DELAY_MS) {
      e.handle = clock.setTimeout(() => {
        e.armed = false;
        armAt(e, target, then);
      }, MAX_TIMER_DELAY_MS);
    } else {
      e.handle = clock.setTimeout(() => {
        e.armed = false;
        then();
      }, delay);
    }
  };

  const armNext = (e: Entry): void => {
    armAt(e, e.status.next, () => void invoke(e, 'scheduled'));
  };

  const invoke = async (e: Entry, kind: InvocationKind, scheduledTime?: number): Promise<void> => {
    if (stopped) return;
    if (kind !== 'manual') disarm(e);
    e.pending += 1;
    if (e.pending > 1)
      log(`[timer] ${e.name}: previous invocation still running; ${kind} invocation waits for it`);
    const previous = e.chain;
    let release = (): void => undefined;
    e.chain = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      if (stopped) return;
      const invocationTime = scheduledTime ?? clock.now();
      const timer = {
        isPastDue: kind === 'pastDue',
        schedule: { adjustForDST: e.schedule.adjustForDST },
        // Without the monitor the host passes no status (null), whatever the type says.
        scheduleStatus: e.useMonitor
          ? { last: iso(e.status.last), next: iso(e.status.next), lastUpdated: iso(e.status.lastUpdated) }
          : null,
      } as unknown as Timer;
      log(
        `[timer] ${e.name}: executing (${kind}${kind === 'scheduled' ? ` ${iso(e.status.next)}` : ''}, isPastDue=${String(timer.isPastDue)})`,
      );
      try {
        await opts.fire(e.fn, timer);
      } catch (err) {
        const errName = err instanceof Error ? err.name : typeof err;
        log(`[timer] ${e.name}: invocation failed (${errName}); the schedule continues`);
      }
      // A scheduled fire that comes slightly early counts as the occurrence it was armed for,
      // so that `next` never records the same occurrence twice.
      const adjusted =
        kind === 'scheduled' && e.status.next > invocationTime ? e.status.next : invocationTime;
      e.status = {
        last: adjusted,
        next: e.schedule.next(new Date(adjusted)).getTime(),
        lastUpdated: adjusted,
      };
      persist(e);
    } finally {
      e.pending -= 1;
      release();
      // The last invocation out re-arms the schedule (from `next`, so missed occurrences are skipped).
      if (e.pending === 0 && !stopped) armNext(e);
    }
  };

  const startup: Record<string, { kind: 'pastDue' | 'runOnStartup'; occurrence: Date }> = {};
  for (const e of entries) {
    let pastDue = false;
    if (e.useMonitor) {
      const stored = readStatus(e.file);
      if (stored === 'corrupt') log(`[timer] ${e.name}: schedule status file is unreadable; starting afresh`);
      const latest = opts.catchUpNeverRun ? latestOccurrence(e.schedule, startNow) : undefined;
      if (typeof stored === 'string' && latest !== undefined) {
        const before = latestOccurrence(e.schedule, latest - 1);
        e.status = { last: NEVER.getTime(), next: latest, lastUpdated: before ?? latest };
        persist(e);
        log(`[timer] ${e.name}: the ${iso(latest)} occurrence never ran; firing it now, past due`);
        pastDue = true;
      } else if (typeof stored === 'string') {
        persist(e);
      } else {
        // Recompute `next` from the time it was last computed, in case the schedule changed.
        const base =
          stored.last > NEVER_THRESHOLD
            ? stored.last
            : stored.lastUpdated > NEVER_THRESHOLD
              ? stored.lastUpdated
              : startNow;
        let expected = e.schedule.next(new Date(base)).getTime();
        let lastUpdated = base;
        if (stored.next !== expected) {
          // The schedule changed: an occurrence of the new schedule that has already passed is not "missed".
          if (startNow > expected) {
            expected = e.schedule.next(new Date(startNow)).getTime();
            lastUpdated = startNow;
          }
          e.status = { last: NEVER.getTime(), next: expected, lastUpdated };
          log(`[timer] ${e.name}: schedule changed since the status was recorded; next ${iso(expected)}`);
          persist(e);
        } else {
          e.status = stored;
        }
        pastDue = startNow > e.status.next;
      }
    }
    const runOnStartup = opts.runOnStartup ?? e.fn.trigger.runOnStartup === true;
    if (pastDue) startup[e.name] = { kind: 'pastDue', occurrence: new Date(e.status.next) };
    else if (runOnStartup) startup[e.name] = { kind: 'runOnStartup', occurrence: new Date(startNow) };
    const upcoming: string[] = [];
    for (let t = new Date(startNow), i = 0; i < 5; i++) {
      t = e.schedule.next(t);
      upcoming.push(t.toISOString());
    }
    log(
      `[timer] ${e.name}: schedule "${e.schedule.expression}" (UTC), monitor ${e.useMonitor ? 'on' : 'off'}, next: ${upcoming.join(', ')}`,
    );
    if (pastDue) {
      log(`[timer] ${e.name}: past due (recorded next ${iso(e.status.next)}); firing once now`);
      armAt(e, startNow, () => void invoke(e, 'pastDue'));
    } else if (runOnStartup) {
      armAt(e, startNow, () => void invoke(e, 'runOnStartup'));
    } else {
      armNext(e);
    }
  }

  return {
    stop(): void {
      stopped = true;
      for (const e of entries) disarm(e);
    },
    startupFires() {
      return { ...startup };
    },
    nextOccurrences(): Record<string, Date> {
      const out: Record<string, Date> = {};
      for (const e of entries) out[e.name] = new Date(e.status.next);
      return out;
    },
    fireNow(name: string, scheduledTime?: Date): Promise<void> {
      const e = entries.find((x) => x.name === name);
      if (!e) return Promise.reject(new TimerHostError(`no timer function named "${name}"`));
      if (stopped) return Promise.reject(new TimerHostError('the timer host is stopped'));
      return invoke(e, 'manual', scheduledTime?.getTime());
    },
  };
}
