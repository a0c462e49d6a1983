/** Counts the engine's queued and running work (episodes, activities, entity batches) and says when it is idle. */
import { EventEmitter } from 'node:events';

export class WorkTracker {
  private busy = 0;
  private checkScheduled = false;
  private readonly events = new EventEmitter();

  /**
   * `beforeIdle` runs once nothing is busy, before idle is announced: it may start work (a
   * virtual clock advanced to the next timer), and then idle waits for that work too.
   */
  constructor(
    private readonly beforeIdle: () => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.events.setMaxListeners(0);
  }

  begin(): void {
    this.busy++;
  }

  end(count = 1): void {
    this.busy -= count;
    if (this.busy === 0) this.scheduleIdleCheck();
  }

  /** Counts a promise as work until it settles; a rejection is reported, never thrown. */
  track(p: Promise<unknown>): void {
    this.begin();
    void p.catch(this.onError).finally(() => this.end());
  }

  scheduleIdleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      if (this.busy !== 0) return;
      this.beforeIdle();
      if (this.busy !== 0) return;
      this.events.emit('idle');
    });
  }

  /** Resolves when no work is queued or running. */
  waitForIdle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.busy === 0) {
          this.events.off('idle', check);
          resolve();
        }
      };
      this.events.on('idle', check);
    });
  }
}
