/**
 * Injectable time source for the embedded runtime. Durable timers, retry back-offs and timer
 * triggers all go through a Clock, so tests can run them on virtual time.
 */

export interface ClockTimer {
  cancel(): void;
}

export interface Clock {
  readonly kind: 'real' | 'virtual' | 'accelerated';
  now(): Date;
  /** Calls `callback` once the clock reaches `fireAt` (immediately, asynchronously, if it is past). */
  setTimer(fireAt: Date, callback: () => void): ClockTimer;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

const MAX_DELAY = 2_147_483_647;

/** Wall-clock time. */
export class RealClock implements Clock {
  readonly kind: 'real' | 'accelerated' = 'real';
  now(): Date {
    return new Date();
  }
  setTimer(fireAt: Date, callback: () => void): ClockTimer {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      const delay = fireAt.getTime() - Date.now();
      if (delay > MAX_DELAY) {
        handle = setTimeout(arm, MAX_DELAY);
      } else {
        handle = setTimeout(
          () => {
            if (!cancelled) callback();
          },
          Math.max(0, delay),
        );
      }
      handle.unref?.();
    };
    arm();
    return {
      cancel: () => {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }
}

/**
 * Time runs `factor` times faster than the wall clock (a 8 s retry back-off waits 8/factor s).
 * Logical times (FireAt, timestamps) are consistent with each other.
 */
export class AcceleratedClock implements Clock {
  readonly kind = 'accelerated' as const;
  private readonly realStart = Date.now();
  private readonly logicalStart: number;
  constructor(
    readonly factor: number,
    start: Date = new Date(),
  ) {
    if (!(factor > 0)) throw new Error('AcceleratedClock factor must be > 0');
    this.logicalStart = start.getTime();
  }
  now(): Date {
    return new Date(this.logicalStart + (Date.now() - this.realStart) * this.factor);
  }
  setTimer(fireAt: Date, callback: () => void): ClockTimer {
    let cancelled = false;
    const realDelay = Math.min(
      MAX_DELAY,
      Math.max(0, (fireAt.getTime() - this.now().getTime()) / this.factor),
    );
    const handle = setTimeout(() => {
      if (cancelled) return;
      // The real timer may fire a hair early in logical terms: re-arm until due.
      if (this.now().getTime() < fireAt.getTime()) {
        const again = this.setTimer(fireAt, callback);
        cancelHolder.cancel = () => again.cancel();
        return;
      }
      callback();
    }, realDelay);
    handle.unref?.();
    const cancelHolder = {
      cancel: (): void => {
        cancelled = true;
        clearTimeout(handle);
      },
    };
    return { cancel: () => cancelHolder.cancel() };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(new Date(this.now().getTime() + ms), resolve);
    });
  }
}

interface VirtualTimer {
  seq: number;
  at: number;
  callback: () => void;
  cancelled: boolean;
}

/**
 * Time stands still until advanced. The durable engine advances it to its earliest due timer
 * whenever it has nothing else to do (see DurableEngine `autoAdvance`), so back-offs cost no
 * real time while TimerCreated/TimerFired still carry the logical FireAt values.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private current: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];
  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  setTimer(fireAt: Date, callback: () => void): ClockTimer {
    const timer: VirtualTimer = { seq: this.seq++, at: fireAt.getTime(), callback, cancelled: false };
    this.timers.push(timer);
    // Already due: fire on the next turn (or earlier, from whoever advances the clock first).
    if (timer.at <= this.current) setImmediate(() => this.advanceTo(new Date(this.current)));
    return {
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(new Date(this.current + ms), resolve);
    });
  }
  /** Earliest pending timer, if any. */
  nextTimerAt(): Date | undefined {
    const live = this.timers.filter((t) => !t.cancelled);
    if (live.length === 0) return undefined;
    return new Date(Math.min(...live.map((t) => t.at)));
  }
  /** Moves time forward (never backward) and fires every timer due by then, in due order. */
  advanceTo(when: Date | string): void {
    const target = new Date(when).getTime();
    if (target > this.current) this.current = target;
    const due = this.timers
      .filter((t) => !t.cancelled && t.at <= this.current)
      .sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.timers = this.timers.filter((t) => !due.includes(t));
    for (const t of due) t.callback();
  }
  advanceBy(ms: number): void {
    this.advanceTo(new Date(this.current + ms));
  }
}

export function isVirtualClock(clock: Clock): clock is VirtualClock {
  return clock instanceof VirtualClock;
}

/** Adapts a Clock to the `{now(): number, setTimeout, clearTimeout}` shape timerHost.ts uses. */
export function toTimerClock(clock: Clock): {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
} {
  return {
    now: () => clock.now().getTime(),
    setTimeout: (fn, ms) => clock.setTimer(new Date(clock.now().getTime() + Math.max(0, ms)), fn),
    clearTimeout: (handle) => (handle as ClockTimer | undefined)?.cancel(),
  };
}
