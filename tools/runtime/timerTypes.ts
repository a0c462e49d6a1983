/** The timer host's options and handle. */
import type { Timer } from '@azure/functions';
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
