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
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TimerSchedule } from './ncrontab';
import type { RegisteredFunction } from './registry';
import { armTimer, disarmTimer } from './timerArming';
import {
  iso,
  NEVER,
  readStatus,
  recoverStatus,
  timerPayload,
  writeStatus,
  type ScheduleStatus,
} from './timerStatus';
import { occurrencesAfter, timerScheduleOf, TimerHostError } from './timerSchedules';
import type { TimerHost, TimerHostOptions } from './timerTypes';

export { NEVER } from './timerStatus';
export { latestOccurrence, resolveSchedule, TimerHostError } from './timerSchedules';
export type { TimerClock, TimerHost, TimerHostOptions } from './timerTypes';

export { MAX_TIMER_DELAY_MS } from './timerArming';

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
    const { schedule, useMonitor } = timerScheduleOf(fn, env, startNow);
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

  const disarm = (e: Entry): void => disarmTimer(clock, e);
  const armAt = (e: Entry, target: number, then: () => void): void =>
    armTimer(clock, e, target, then, () => stopped);

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
      const timer = timerPayload(kind === 'pastDue', e.schedule.adjustForDST, e.useMonitor ? e.status : null);
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
      const recovered = recoverStatus(
        e.name,
        e.schedule,
        readStatus(e.file),
        startNow,
        opts.catchUpNeverRun === true,
        log,
      );
      e.status = recovered.status;
      pastDue = recovered.pastDue;
      if (recovered.write) persist(e);
    }
    const runOnStartup = opts.runOnStartup ?? e.fn.trigger.runOnStartup === true;
    if (pastDue) startup[e.name] = { kind: 'pastDue', occurrence: new Date(e.status.next) };
    else if (runOnStartup) startup[e.name] = { kind: 'runOnStartup', occurrence: new Date(startNow) };
    const upcoming = occurrencesAfter(e.schedule, startNow, 5);
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
