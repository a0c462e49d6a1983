/**
 * The .NET host's clock, moved with the suite's: libfaketime (Debian `faketime`, which .ci/run
 * installs) preloaded into the host reads its offset from a file, so the extension's
 * OrchestratorStarted timestamps (context.df.currentUtcDateTime), timers and createdTime read the
 * scenario's instant and tick from there, as the embedded engine's virtual clock does. Monotonic
 * clocks stay real (timers, polling and leases keep real durations).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/faketime/libfaketimeMT.so.1',
  '/usr/local/lib/faketime/libfaketimeMT.so.1',
];
/** libfaketime re-reads the offset file at most this often (FAKETIME_CACHE_DURATION, seconds). */
const REREAD_S = 1;

export interface HostClock {
  /** Environment for the host process. */
  env: Record<string, string>;
  /** Resolves once the host reads `ms` (then ticking): its offset is written ahead of the re-read. */
  set(ms: number): Promise<void>;
  remove(): void;
}

/** Real wall-clock time: the suite fakes `Date`, never `performance`. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export function hostClock(startMs: number): HostClock {
  const lib = [process.env.CONFORMANCE_LIBFAKETIME, ...CANDIDATES].find((p) => p && fs.existsSync(p));
  if (!lib) {
    throw new Error(
      'libfaketime is missing (Debian: apt-get install faketime, or set CONFORMANCE_LIBFAKETIME): ' +
        'the real engine must run on the scenarios clock',
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-hostclock-'));
  const file = path.join(dir, 'offset');
  const write = (ms: number): void => {
    const offset = (ms - wallNow()) / 1000;
    fs.writeFileSync(file, `${offset >= 0 ? '+' : ''}${offset.toFixed(3)}\n`);
  };
  write(startMs);
  return {
    env: {
      LD_PRELOAD: lib,
      FAKETIME_TIMESTAMP_FILE: file,
      FAKETIME_CACHE_DURATION: String(REREAD_S),
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    set: async (ms) => {
      const waitMs = REREAD_S * 1000 + 150;
      write(ms - waitMs);
      await new Promise((r) => setTimeout(r, waitMs));
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
