/**
 * The runtime's command line, for any app: `runCli(profile, argv)` runs `start`, `runs`, `state`
 * and the app's own commands (profile.ts). An app's entry is one line (see tools/watt-watcher.ts).
 *
 * Exit codes: 0 ok / run succeeded, 2 run partial, 1 failure, 64 usage error.
 */
import { errorMessage } from '../../../shared/errors';
import type { AppProfile } from '../profile';
import { runAppCommand } from './appCommand';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './args';
import { builtinHelp, mainHelp } from './help';
import { cmdRuns } from './runs';
import { cmdStart } from './start';
import { cmdState } from './state';

const defaultIo: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

export async function runCli(profile: AppProfile, argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  const appCommand = profile.commands?.find((c) => c.name === command);
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(mainHelp(profile));
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      case 'start':
        return await cmdStart(profile, rest, io);
      case 'runs':
        return cmdRuns(profile, rest, io);
      case 'state':
        return cmdState(profile, rest, io);
      default:
        if (appCommand) return await runAppCommand(profile, appCommand, rest, io);
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      const known = appCommand !== undefined || (command !== undefined && command in builtinHelp(''));
      io.err(`${profile.cli}: ${err.message}`);
      io.err(`Run "${profile.cli} ${known ? `${command} ` : ''}--help" for usage.`);
      return EXIT_USAGE;
    }
    io.err(`${profile.cli}: ${errorMessage(err)}`);
    return EXIT_FAILED;
  }
}

/** For an app's entry file: runs the CLI on process.argv and sets the exit code. */
export function runMain(profile: AppProfile): void {
  runCli(profile, process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = EXIT_FAILED;
    },
  );
}
