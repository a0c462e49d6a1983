/** How the soak drives the embedded host: its scratch folder, the process clock, timer firings. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { iso } from '../../shared/time';
import type { VirtualClock } from '../runtime/clock';
import type { RunningHost } from '../runtime/host';

/**
 * The task hub and the lake are fsynced on every write; on a memory-backed folder (Linux's
 * /dev/shm) a year of runs costs a third less wall time, and nothing of it needs to survive.
 */
export function scratchRoot(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

/** The app reads Date.now() for its slots and budgets: in the soak, Date follows the virtual clock. */
export function followClock(clock: VirtualClock): () => void {
  const RealDate = Date;
  const now = (): number => clock.now().getTime();
  class VDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now());
      else super(...(args as [string]));
    }
    static override now(): number {
      return now();
    }
  }
  globalThis.Date = VDate as DateConstructor;
  return () => {
    globalThis.Date = RealDate;
  };
}

/** What the host passes a timer firing for `slot` (the WebJobs timer's own shape). */
export function timerPayload(slot: number, period: number): unknown {
  return {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: iso(slot - period), next: iso(slot), lastUpdated: iso(slot - period) },
  };
}

/**
 * Runs the virtual clock through the instance's retry timers until it finishes. Waiting on the
 * engine's completion event (rather than polling the instance, which copies its history) keeps
 * a year of runs linear.
 */
export async function settle(host: RunningHost, clock: VirtualClock, instanceId: string): Promise<void> {
  if (!host.engine.getInstance(instanceId)) return;
  let done = false;
  const finished = host.engine.waitForCompletion(instanceId).then(() => {
    done = true;
  });
  while (!done) {
    const next = clock.nextTimerAt();
    if (next) clock.advanceTo(next);
    else await new Promise((r) => setImmediate(r));
  }
  await finished;
  await host.engine.waitForIdle();
}
