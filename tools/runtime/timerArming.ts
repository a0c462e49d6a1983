/** Arming one timer function's next fire on the clock, in waits the clock can take. */
import type { TimerClock } from './timerTypes';

/** Longest single wait handed to the clock (setTimeout caps at 2^31-1 ms ≈ 24.8 days). */
export const MAX_TIMER_DELAY_MS = 24 * 24 * 60 * 60 * 1000;

export interface Armed {
  handle: unknown;
  armed: boolean;
}

export function disarmTimer(clock: TimerClock, e: Armed): void {
  if (e.armed) clock.clearTimeout(e.handle);
  e.armed = false;
  e.handle = undefined;
}

/** Waits until `target`, in chunks no longer than MAX_TIMER_DELAY_MS, then runs `then`. */
export function armTimer(
  clock: TimerClock,
  e: Armed,
  target: number,
  then: () => void,
  stopped: () => boolean,
): void {
  disarmTimer(clock, e);
  if (stopped()) return;
  const delay = Math.max(0, target - clock.now());
  e.armed = true;
  if (delay > MAX_TIMER_DELAY_MS) {
    e.handle = clock.setTimeout(() => {
      e.armed = false;
      armTimer(clock, e, target, then, stopped);
    }, MAX_TIMER_DELAY_MS);
  } else {
    e.handle = clock.setTimeout(() => {
      e.armed = false;
      then();
    }, delay);
  }
}
