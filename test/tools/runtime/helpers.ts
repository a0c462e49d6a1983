import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirtualClock } from '../../../tools/runtime/clock';
import { startHost, type HostOptions, type RunningHost } from '../../../tools/runtime/host';
import { memoryLogger } from '../../../tools/runtime/logger';

export const ROOT = path.resolve(__dirname, '../../..');
export const FIXTURE_APP = 'test/tools/runtime/fixtures/app.ts';

export function tmpDir(prefix = 'ww-runtime-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startFixtureHost(
  overrides: Partial<HostOptions> = {},
): Promise<RunningHost & { logs: ReturnType<typeof memoryLogger>; durableDir: string }> {
  const durableDir = overrides.durableDir ?? tmpDir();
  const logs = memoryLogger();
  const host = await startHost({
    rootDir: ROOT,
    entryFiles: [FIXTURE_APP],
    durableDir,
    hubName: 'FixtureHub',
    clock: new VirtualClock('2026-03-01T10:00:00.000Z'),
    port: 0,
    timers: false,
    loadSettings: false,
    banner: false,
    logger: logs,
    functionKeys: ['test-key'],
    ...overrides,
  });
  return Object.assign(host, { logs, durableDir });
}
