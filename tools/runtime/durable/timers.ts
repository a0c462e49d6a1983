/** Durable timers: one clock timer per TimerCreated without TimerFired, keyed by job key. */
import type { Clock, ClockTimer } from '../clock';
import { jobKey, jobKeyPrefix } from './util';

export class DurableTimers {
  private readonly armed = new Map<string, { fireAt: number; handle: ClockTimer }>();

  constructor(private readonly clock: Clock) {}

  /** Arms the timer once; `fire` runs when it is due. */
  arm(instanceId: string, executionId: string, timerId: number, fireAt: Date, fire: () => void): void {
    const key = jobKey(instanceId, executionId, timerId);
    if (this.armed.has(key)) return;
    const handle = this.clock.setTimer(fireAt, () => {
      this.armed.delete(key);
      fire();
    });
    this.armed.set(key, { fireAt: fireAt.getTime(), handle });
  }

  cancelOf(instanceId: string): void {
    const prefix = jobKeyPrefix(instanceId);
    for (const [key, t] of this.armed) {
      if (key.startsWith(prefix)) {
        t.handle.cancel();
        this.armed.delete(key);
      }
    }
  }

  cancelAll(): void {
    for (const t of this.armed.values()) t.handle.cancel();
    this.armed.clear();
  }

  /** Earliest armed timer. */
  nextAt(): Date | undefined {
    if (this.armed.size === 0) return undefined;
    return new Date(Math.min(...[...this.armed.values()].map((t) => t.fireAt)));
  }
}
