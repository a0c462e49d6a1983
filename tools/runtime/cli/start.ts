/** `start`: the long-running host (HTTP triggers, timer triggers, durable engine) until Ctrl-C. */
import { AcceleratedClock, RealClock } from '../clock';
import { startHost } from '../host';
import type { AppProfile } from '../profile';
import { EXIT_OK, parseAcceleration, parseCommand, resolvePaths, str, UsageError, type CliIo } from './args';
import { builtinHelp } from './help';

export async function cmdStart(profile: AppProfile, args: string[], io: CliIo): Promise<number> {
  const p = parseCommand(
    args,
    {
      port: { type: 'string' },
      'fast-timers': { type: 'string' },
      'no-timers': { type: 'boolean' },
      entry: { type: 'string', multiple: true },
    },
    0,
  );
  if (p.help) {
    io.out(builtinHelp(profile.cli).start ?? '');
    return EXIT_OK;
  }
  const port = str(p, 'port') === undefined ? 7071 : Number(str(p, 'port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535`);
  const factor = parseAcceleration(p);
  const { rootDir, durableDir, hubName } = resolvePaths(p);
  const entry = p.flags.entry;
  const host = await startHost({
    ...hostProfileOptions(profile),
    rootDir,
    entryFiles: Array.isArray(entry) ? entry.map(String) : undefined,
    durableDir,
    hubName,
    port,
    clock: factor ? new AcceleratedClock(factor) : new RealClock(),
    timers: p.flags['no-timers'] !== true,
    timerCatchUp: true,
    banner: (text: string) => io.out(text),
  });
  io.out(`Host started (pid ${process.pid}). Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.out('Stopping: waiting for running functions to finish...');
  await host.stop();
  io.out('Stopped.');
  return EXIT_OK;
}

/** The host options an app profile decides. */
export function hostProfileOptions(profile: AppProfile): {
  title?: string;
  functionKeyEnv?: string;
  defaultSettings?: Record<string, string>;
  checkSettings?: () => void;
  bannerExtras?: () => string[];
  bannerLinks?: (ctx: { httpUrl: string; functionKey: string }) => string[];
} {
  const { bannerLines, bannerLinks, checkSettings } = profile;
  return {
    title: profile.title,
    functionKeyEnv: profile.functionKeyEnv,
    defaultSettings: profile.defaultSettings,
    checkSettings: checkSettings ? () => checkSettings(process.env) : undefined,
    bannerExtras: bannerLines ? () => bannerLines(process.env) : undefined,
    bannerLinks: bannerLinks ? (ctx) => bannerLinks({ ...ctx, env: process.env }) : undefined,
  };
}
