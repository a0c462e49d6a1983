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
/**
 * FAKETIME_CACHE_DURATION, seconds. libfaketime re-reads the file on the first clock read whose
 * whole real second exceeds the last read's by more than this (libfaketime.c: `(tv_sec -
 * last_data_fetch) > cache_duration`), so a file written at second S is read from second S + 2 on.
 */
const REREAD_S = 1;
/** Past that boundary: the host's first clock read after it, and the Node/libc clock skew. */
const MARGIN_MS = 150;

export interface HostClock {
  /** Environment for the host process. */
  env: Record<string, string>;
  /**
   * Resolves once the host is bound to read `ms` (then ticking): the offset is written for the
   * instant the re-read is certain, and the promise waits for it.
   */
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
    // a rename, so that a re-read never meets a half-written file
    fs.writeFileSync(`${file}.next`, `${offset >= 0 ? '+' : ''}${offset.toFixed(3)}\n`);
    fs.renameSync(`${file}.next`, file);
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
      const now = wallNow();
      const waitMs = (Math.floor(now / 1000) + REREAD_S + 1) * 1000 + MARGIN_MS - now;
      write(ms - waitMs);
      await new Promise((r) => setTimeout(r, waitMs));
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
