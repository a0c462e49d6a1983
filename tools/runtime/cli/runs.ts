/** `runs list` / `runs show`: read the durable store directly (works while the host runs). */
import * as fs from 'node:fs';
import { TaskHubStore } from '../durable/store';
import { RUNTIME_STATUSES, type InstanceRecord, type RuntimeStatus } from '../durable/types';
import type { AppProfile } from '../profile';
import {
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  parseCommand,
  resolvePaths,
  str,
  UsageError,
  type CliIo,
  type Parsed,
} from './args';
import { describeRun } from './describeRun';
import { builtinHelp } from './help';

export function openStore(p: Parsed): TaskHubStore {
  const { durableDir, hubName } = resolvePaths(p);
  return new TaskHubStore(durableDir, hubName);
}

function parseStatuses(raw: string | undefined): RuntimeStatus[] | undefined {
  if (!raw) return undefined;
  return raw.split(',').map((s) => {
    const match = RUNTIME_STATUSES.find((x) => x.toLowerCase() === s.trim().toLowerCase());
    if (!match) throw new UsageError(`unknown status "${s}" (use ${RUNTIME_STATUSES.join(', ')})`);
    return match;
  });
}

function list(p: Parsed, io: CliIo): number {
  const wanted = parseStatuses(str(p, 'status'));
  const limit = Number(str(p, 'limit') ?? '20');
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number`);
  const runs = openStore(p)
    .loadAllInstances()
    .filter((r) => !wanted || wanted.includes(r.status))
    .sort((a, b) => b.createdTime.localeCompare(a.createdTime))
    .slice(0, limit);
  if (runs.length === 0) io.out('no runs');
  for (const r of runs) {
    io.out(
      `${r.instanceId}  ${r.status.padEnd(10)}  created ${r.createdTime}  updated ${r.lastUpdatedTime}  ${r.name}${r.customStatus ? `  ${r.customStatus}` : ''}`,
    );
  }
  return EXIT_OK;
}

function show(p: Parsed, io: CliIo): number {
  const id = p.positionals[0];
  if (!id) throw new UsageError('runs show needs an instance id');
  const file = openStore(p).instanceFile(id);
  if (!fs.existsSync(file)) {
    io.err(`no run with id ${id}`);
    return EXIT_FAILED;
  }
  const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as InstanceRecord;
  for (const line of describeRun(rec)) io.out(line);
  return EXIT_OK;
}

export function cmdRuns(profile: AppProfile, args: string[], io: CliIo): number {
  const help = builtinHelp(profile.cli).runs ?? '';
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.out(help);
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (sub !== 'list' && sub !== 'show') throw new UsageError(`unknown runs subcommand "${sub}"`);
  const p =
    sub === 'list'
      ? parseCommand(rest, { status: { type: 'string' }, limit: { type: 'string' } }, 0)
      : parseCommand(rest, {}, 1);
  if (p.help) {
    io.out(help);
    return EXIT_OK;
  }
  return sub === 'list' ? list(p, io) : show(p, io);
}
