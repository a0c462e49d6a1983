import type { Timer } from '@azure/functions';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BindingMetadata, RegisteredFunction } from '../../../tools/runtime/registry';
import {
  MAX_TIMER_DELAY_MS,
  startTimerHost,
  TimerHostError,
  type TimerClock,
} from '../../../tools/runtime/timerHost';

/** A manual clock: timers run only when the test advances time. */
class FakeClock implements TimerClock {
  private seq = 0;
  readonly timers = new Map<number, { at: number; fn: () => void; ms: number }>();
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward, running due timers in order and letting promises settle in between. */
  async advanceTo(iso: string): Promise<void> {
    const target = Date.parse(iso);
    for (;;) {
      await settle();
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= target)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
    }
    this.t = target;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function timerFn(name: string, trigger: Partial<BindingMetadata>): RegisteredFunction {
  const binding: BindingMetadata = { type: 'timerTrigger', direction: 'in', name: 'timer', ...trigger };
  return {
    name,
    bindings: { timer: binding },
    handler: () => undefined,
    triggerType: 'timerTrigger',
    trigger: binding,
  };
}

const at = (iso: string): number => Date.parse(iso);

describe('startTimerHost', () => {
  let stateDir: string;
  let fired: Array<{ name: string; at: string; timer: Timer }>;
  let lines: string[];

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'timerhost-'));
    fired = [];
    lines = [];
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  function start(clock: FakeClock, functions: RegisteredFunction[], extra: { runOnStartup?: boolean } = {}) {
    return startTimerHost({
      functions,
      clock,
      stateDir,
      log: (l) => lines.push(l),
      env: { INGEST_SCHEDULE: '0 */15 * * * *' },
      fire: async (fn, timer) => {
        fired.push({ name: fn.name, at: new Date(clock.now()).toISOString(), timer });
      },
      ...extra,
    });
  }

  type StatusFile = { last: string; next: string; lastUpdated: string };
  const statusFile = (name: string): StatusFile =>
    JSON.parse(readFileSync(join(stateDir, 'timers', `${name}.json`), 'utf8')) as StatusFile;

  it('fires on schedule and records status', async () => {
    const clock = new FakeClock(at('2024-03-10T06:07:30Z'));
    const host = start(clock, [timerFn('ingest', { schedule: '0 */15 * * * *' })]);
    expect(host.nextOccurrences()).toEqual({ ingest: new Date('2024-03-10T06:15:00Z') });
    // A fresh timer records its first expected occurrence right away.
    expect(statusFile('ingest')).toEqual({
      last: '0001-01-01T00:00:00.000Z',
      next: '2024-03-10T06:15:00.000Z',
      lastUpdated: '2024-03-10T06:07:30.000Z',
    });

    await clock.advanceTo('2024-03-10T06:14:59Z');
    expect(fired).toHaveLength(0);
    await clock.advanceTo('2024-03-10T06:31:00Z');
    expect(fired.map((f) => f.at)).toEqual(['2024-03-10T06:15:00.000Z', '2024-03-10T06:30:00.000Z']);
    expect(fired[0]?.timer).toEqual({
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: '0001-01-01T00:00:00.000Z',
        next: '2024-03-10T06:15:00.000Z',
        lastUpdated: '2024-03-10T06:07:30.000Z',
      },
    });
    expect(fired[1]?.timer.scheduleStatus).toEqual({
      last: '2024-03-10T06:15:00.000Z',
      next: '2024-03-10T06:30:00.000Z',
      lastUpdated: '2024-03-10T06:15:00.000Z',
    });
    expect(statusFile('ingest')).toEqual({
      last: '2024-03-10T06:30:00.000Z',
      next: '2024-03-10T06:45:00.000Z',
      lastUpdated: '2024-03-10T06:30:00.000Z',
    });
    expect(host.nextOccurrences()).toEqual({ ingest: new Date('2024-03-10T06:45:00Z') });
    expect(readdirSync(join(stateDir, 'timers'))).toEqual(['ingest.json']);
    host.stop();
    expect(clock.timers.size).toBe(0);
  });

  it('fires exactly once with isPastDue after downtime, then resumes the schedule', async () => {
    // A previous run fired at 06:00 and expected 06:15; the process was down until 07:02.
    mkdirSync(join(stateDir, 'timers'), { recursive: true });
    writeFileSync(
      join(stateDir, 'timers', 'ingest.json'),
      JSON.stringify({
        last: '2024-03-10T06:00:00.000Z',
        next: '2024-03-10T06:15:00.000Z',
        lastUpdated: '2024-03-10T06:00:00.000Z',
      }),
    );
    const clock = new FakeClock(at('2024-03-10T07:02:00Z'));
    const host = start(clock, [timerFn('ingest', { schedule: '0 */15 * * * *' })]);
    await clock.advanceTo('2024-03-10T07:02:00Z');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toEqual({
      name: 'ingest',
      at: '2024-03-10T07:02:00.000Z',
      timer: {
        isPastDue: true,
        schedule: { adjustForDST: true },
        scheduleStatus: {
          last: '2024-03-10T06:00:00.000Z',
          next: '2024-03-10T06:15:00.000Z',
          lastUpdated: '2024-03-10T06:00:00.000Z',
        },
      },
    });
    expect(statusFile('ingest')).toEqual({
      last: '2024-03-10T07:02:00.000Z',
      next: '2024-03-10T07:15:00.000Z',
      lastUpdated: '2024-03-10T07:02:00.000Z',
    });

    await clock.advanceTo('2024-03-10T07:20:00Z');
    expect(fired.map((f) => [f.at, f.timer.isPastDue])).toEqual([
      ['2024-03-10T07:02:00.000Z', true],
      ['2024-03-10T07:15:00.000Z', false],
    ]);
    host.stop();
  });

  it('does not treat a changed schedule as past due', async () => {
    mkdirSync(join(stateDir, 'timers'), { recursive: true });
    writeFileSync(
      join(stateDir, 'timers', 'ingest.json'),
      JSON.stringify({
        last: '2024-03-10T06:00:00.000Z',
        next: '2024-03-10T07:00:00.000Z', // recorded under an hourly schedule
        lastUpdated: '2024-03-10T06:00:00.000Z',
      }),
    );
    const clock = new FakeClock(at('2024-03-10T06:20:00Z'));
    const host = start(clock, [timerFn('ingest', { schedule: '0 */15 * * * *' })]);
    await clock.advanceTo('2024-03-10T06:20:00Z');
    expect(fired).toHaveLength(0);
    expect(host.nextOccurrences()).toEqual({ ingest: new Date('2024-03-10T06:30:00Z') });
    expect(statusFile('ingest').next).toBe('2024-03-10T06:30:00.000Z');
    host.stop();
  });

  it('honours runOnStartup from the binding and from the options', async () => {
    const clock = new FakeClock(at('2024-03-10T06:07:30Z'));
    const host = start(clock, [
      timerFn('eager', { schedule: '0 0 * * * *', runOnStartup: true }),
      timerFn('lazy', { schedule: '0 0 * * * *' }),
    ]);
    await clock.advanceTo('2024-03-10T06:07:30Z');
    expect(fired.map((f) => [f.name, f.timer.isPastDue])).toEqual([['eager', false]]);
    host.stop();

    fired.length = 0;
    const clock2 = new FakeClock(at('2024-03-10T06:07:30Z'));
    const host2 = start(clock2, [timerFn('eager2', { schedule: '0 0 * * * *', runOnStartup: true })], {
      runOnStartup: false,
    });
    await clock2.advanceTo('2024-03-10T06:07:30Z');
    expect(fired).toHaveLength(0);
    host2.stop();
  });

  it('resolves %SETTING% schedules and reports missing settings', () => {
    const clock = new FakeClock(at('2024-03-10T06:07:30Z'));
    const host = start(clock, [timerFn('ingest', { schedule: '%INGEST_SCHEDULE%' })]);
    expect(host.nextOccurrences()).toEqual({ ingest: new Date('2024-03-10T06:15:00Z') });
    host.stop();

    expect(() => start(clock, [timerFn('ingest', { schedule: '%MISSING_SCHEDULE%' })])).toThrow(
      new TimerHostError(
        'timer function "ingest": schedule "%MISSING_SCHEDULE%" refers to app setting "MISSING_SCHEDULE", which is not set',
      ),
    );
    expect(() => start(clock, [timerFn('ingest', { schedule: '*/5 * * * *' })])).toThrow(
      /^timer function "ingest": NCRONTAB expression "\*\/5 \* \* \* \*" has 5 field\(s\)/,
    );
    expect(clock.timers.size).toBe(0);
  });

  it('never overlaps invocations of one function and skips occurrences missed while running', async () => {
    const clock = new FakeClock(at('2024-03-10T06:07:30Z'));
    let running = 0;
    let maxRunning = 0;
    const releases: Array<() => void> = [];
    const starts: string[] = [];
    const host = startTimerHost({
      functions: [timerFn('slow', { schedule: '0 */15 * * * *' })],
      clock,
      stateDir,
      log: (l) => lines.push(l),
      fire: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        starts.push(new Date(clock.now()).toISOString());
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      },
    });
    await clock.advanceTo('2024-03-10T06:15:00Z');
    expect(starts).toEqual(['2024-03-10T06:15:00.000Z']);

    // A manual fire while the scheduled one runs waits for it.
    const manual = host.fireNow('slow');
    await settle();
    expect(running).toBe(1);
    expect(lines.some((l) => l.includes('previous invocation still running'))).toBe(true);

    // Nothing is armed while running: the 06:30 and 06:45 occurrences pass without a fire.
    await clock.advanceTo('2024-03-10T06:50:00Z');
    expect(starts).toHaveLength(1);
    releases.shift()?.();
    await settle();
    expect(starts).toEqual(['2024-03-10T06:15:00.000Z', '2024-03-10T06:50:00.000Z']);
    releases.shift()?.();
    await manual;
    expect(maxRunning).toBe(1);
    expect(host.nextOccurrences()).toEqual({ slow: new Date('2024-03-10T07:00:00Z') });
    await clock.advanceTo('2024-03-10T07:00:00Z');
    expect(starts).toHaveLength(3);
    releases.shift()?.();
    host.stop();
  });

  it('keeps the schedule after a failed invocation', async () => {
    const clock = new FakeClock(at('2024-03-10T06:07:30Z'));
    let calls = 0;
    const host = startTimerHost({
      functions: [timerFn('flaky', { schedule: '0 */15 * * * *' })],
      clock,
      stateDir,
      log: (l) => lines.push(l),
      fire: async () => {
        calls++;
        throw new Error('secret=abc failed');
      },
    });
    await clock.advanceTo('2024-03-10T06:31:00Z');
    expect(calls).toBe(2);
    expect(lines.filter((l) => l.includes('invocation failed (Error)'))).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('secret=abc');
    host.stop();
  });

  it('chunks waits longer than the setTimeout limit', async () => {
    const clock = new FakeClock(at('2024-03-10T00:00:00Z'));
    const host = start(clock, [timerFn('yearly', { schedule: '0 0 0 1 1 *' })]);
    expect([...clock.timers.values()].map((t) => t.ms)).toEqual([MAX_TIMER_DELAY_MS]);
    await clock.advanceTo('2024-12-31T23:59:59Z');
    expect(fired).toHaveLength(0);
    expect([...clock.timers.values()].every((t) => t.ms <= MAX_TIMER_DELAY_MS)).toBe(true);
    await clock.advanceTo('2025-01-01T00:00:00Z');
    expect(fired.map((f) => f.at)).toEqual(['2025-01-01T00:00:00.000Z']);
    host.stop();
  });

  it('runs sub-minute schedules without the monitor (no state, null status)', async () => {
    const clock = new FakeClock(at('2024-03-10T06:07:30Z'));
    const host = start(clock, [timerFn('fast', { schedule: '*/10 * * * * *' })]);
    await clock.advanceTo('2024-03-10T06:07:40Z');
    expect(fired).toHaveLength(1);
    expect(fired[0]?.timer.scheduleStatus).toBeNull();
    expect(() => readdirSync(join(stateDir, 'timers'))).toThrow();
    host.stop();
  });

  it('records a manual fire at the given scheduled time', async () => {
    const clock = new FakeClock(at('2024-03-10T06:07:30Z'));
    const host = start(clock, [timerFn('ingest', { schedule: '0 */15 * * * *' })]);
    await host.fireNow('ingest', new Date('2024-03-10T06:15:00Z'));
    expect(fired.map((f) => f.timer.isPastDue)).toEqual([false]);
    expect(statusFile('ingest').last).toBe('2024-03-10T06:15:00.000Z');
    expect(host.nextOccurrences()).toEqual({ ingest: new Date('2024-03-10T06:30:00Z') });
    await expect(host.fireNow('nope')).rejects.toThrow('no timer function named "nope"');
    host.stop();
  });
});
