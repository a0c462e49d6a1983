/**
 * The runtime runs another Functions app unchanged: a tiny app (one timer, one orchestration, one
 * activity) with its own profile (title, function key setting, settings check, banner link). On a
 * fresh task hub the timer's latest occurrence has never run: `timerCatchUp` fires it at once,
 * past due, with the schedule status a host down since before that occurrence would pass.
 */
import * as path from 'node:path';
import { VirtualClock } from '../../../tools/runtime/clock';
import { runCli } from '../../../tools/runtime/cli/main';
import { startHost, type HostOptions } from '../../../tools/runtime/host';
import { memoryLogger } from '../../../tools/runtime/logger';
import type { AppProfile } from '../../../tools/runtime/profile';
import { hostProfileOptions } from '../../../tools/runtime/cli/start';
import { tmpDir } from './helpers';

const TINY_ROOT = path.join(__dirname, 'fixtures', 'tinyApp');

const tinyProfile: AppProfile = {
  cli: 'tiny',
  title: 'Tiny app on the embedded runtime',
  functionKeyEnv: 'TINY_FUNCTION_KEY',
  checkSettings: (env) => {
    if (env.TINY_REFUSE === '1') throw new Error('TINY_REFUSE is set');
  },
  bannerLines: () => ['Tiny lake: none'],
  bannerLinks: ({ httpUrl, functionKey }) => [`Tiny page: ${httpUrl}/api/tiny?code=${functionKey}`],
};

async function startTiny(durableDir: string, clock: VirtualClock, extra: Partial<HostOptions> = {}) {
  let banner = '';
  const host = await startHost({
    ...hostProfileOptions(tinyProfile),
    rootDir: TINY_ROOT,
    durableDir,
    clock,
    port: 0,
    loadSettings: false,
    timerCatchUp: true,
    logger: memoryLogger(),
    banner: (text) => void (banner = text),
    ...extra,
  });
  return { host, banner: () => banner };
}

describe('a second app in the runtime', () => {
  const saved = process.env.TINY_FUNCTION_KEY;
  beforeAll(() => void (process.env.TINY_FUNCTION_KEY = 'tiny-key'));
  afterAll(() => {
    if (saved === undefined) delete process.env.TINY_FUNCTION_KEY;
    else process.env.TINY_FUNCTION_KEY = saved;
    delete process.env.TINY_REFUSE;
  });

  it('fires the never-run latest occurrence at start, past due, then keeps the schedule', async () => {
    const durableDir = tmpDir();
    const clock = new VirtualClock('2026-03-01T10:20:00.000Z');
    const first = await startTiny(durableDir, clock);
    try {
      const banner = first.banner();
      expect(banner.split('\n')[0]).toBe('Tiny app on the embedded runtime');
      expect(banner).toContain('Function key (TINY_FUNCTION_KEY): tiny-key');
      expect(banner).toContain('Tiny lake: none');
      expect(banner).toContain(
        `Tiny page: http://localhost:${new URL(first.host.httpUrl).port}/api/tiny?code=tiny-key`,
      );
      expect(banner).toMatch(
        /tinyTimer: timerTrigger schedule 0 0 \* \* \* \*, next 2026-03-01T10:00:00.000Z; the 2026-03-01T10:00:00.000Z occurrence has not run: running it now \(past due\)/,
      );
      const rec = await first.host.engine.waitForCompletion('tiny-2026-03-01T10:00:00.000Z');
      expect(rec.status).toBe('Completed');
      expect(JSON.parse(rec.output ?? 'null')).toEqual({
        isPastDue: true,
        scheduleStatus: {
          last: '0001-01-01T00:00:00.000Z',
          next: '2026-03-01T10:00:00.000Z',
          lastUpdated: '2026-03-01T09:00:00.000Z',
        },
        text: 'late tick',
      });
      clock.advanceTo('2026-03-01T11:00:00.000Z');
      const next = await first.host.engine.waitForCompletion('tiny-2026-03-01T11:00:00.000Z');
      expect(JSON.parse(next.output ?? 'null')).toMatchObject({ isPastDue: false, text: 'on time tick' });
    } finally {
      await first.host.stop();
    }

    // Restarted before the next occurrence: the status is recorded, nothing fires at start.
    const again = await startTiny(durableDir, new VirtualClock('2026-03-01T11:10:00.000Z'));
    try {
      expect(again.host.timerHost?.startupFires()).toEqual({});
      expect(again.banner()).not.toContain('past due');
      expect(again.host.engine.listInstances().instances.map((r) => r.instanceId)).toEqual([
        'tiny-2026-03-01T10:00:00.000Z',
        'tiny-2026-03-01T11:00:00.000Z',
      ]);
    } finally {
      await again.host.stop();
    }

    // The runtime's own commands read the tiny app's store under the tiny profile's name.
    const out: string[] = [];
    const io = { out: (l: string) => void out.push(l), err: (l: string) => void out.push(l) };
    expect(
      await runCli(tinyProfile, ['runs', 'list', '--root', TINY_ROOT, '--durable-dir', durableDir], io),
    ).toBe(0);
    expect(out.map((l) => l.split(/\s+/)[0])).toEqual([
      'tiny-2026-03-01T11:00:00.000Z',
      'tiny-2026-03-01T10:00:00.000Z',
    ]);
    out.length = 0;
    expect(await runCli(tinyProfile, ['bogus'], io)).toBe(64);
    expect(out).toEqual(['tiny: unknown command "bogus"', 'Run "tiny --help" for usage.']);
  });

  it('without timerCatchUp a fresh hub waits for the next occurrence', async () => {
    const { host } = await startTiny(tmpDir(), new VirtualClock('2026-03-01T10:20:00.000Z'), {
      timerCatchUp: false,
    });
    try {
      expect(host.timerHost?.startupFires()).toEqual({});
      expect(host.timerHost?.nextOccurrences()).toEqual({ tinyTimer: new Date('2026-03-01T11:00:00.000Z') });
    } finally {
      await host.stop();
    }
  });

  it('the profile settings check refuses to start, before the task hub is touched', async () => {
    process.env.TINY_REFUSE = '1';
    const durableDir = tmpDir();
    await expect(startTiny(durableDir, new VirtualClock('2026-03-01T10:20:00.000Z'))).rejects.toThrow(
      'TINY_REFUSE is set',
    );
    delete process.env.TINY_REFUSE;
    const { host } = await startTiny(durableDir, new VirtualClock('2026-03-01T10:20:00.000Z'));
    await host.stop();
  });
});
