#!/usr/bin/env node
/**
 * watt-watcher: runs the app on one machine with the embedded Functions runtime.
 *
 *   start                     long-running host (HTTP triggers, timer triggers, durable engine)
 *   ingest [--from] [--to] [--dataset ID]...   one ingestion run through the app's httpStarter
 *   runs list [--status S] [--limit N] | runs show <instanceId>
 *   state                     entity states
 *
 * Exit codes: 0 ok / run succeeded, 2 run partial, 1 failure, 64 usage error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HttpRequest, HttpResponse } from '@azure/functions';
import { AcceleratedClock, RealClock } from './clock';
import { resolveHubName, startHost } from './host';
import { consoleLogger } from './logger';
import { TaskHubStore } from './durable/store';
import {
  EventType,
  isTerminal,
  type HistoryEvent,
  type InstanceRecord,
  RUNTIME_STATUSES,
  type RuntimeStatus,
} from './durable/types';
import { DEFAULT_SCHEDULE, loadConfig } from '../../shared/config';

/** The timer binding reads %INGESTION_SCHEDULE%; Azure gets it from the infrastructure, a laptop from here. */
const APP_DEFAULT_SETTINGS = { INGESTION_SCHEDULE: DEFAULT_SCHEDULE };

/** Banner lines about the app's own settings, read after local.settings.json is applied. */
function appBanner(): string[] {
  const c = loadConfig(process.env);
  const lake =
    c.lake.kind === 'local'
      ? `${c.lake.dir}/${c.lake.filesystem}`
      : `abfss://${c.lake.filesystem}@${new URL(c.lake.endpoint).host}`;
  return [
    `Lake: ${lake}`,
    `ODRE API: ${c.apiBaseUrl} (auth: ${c.auth.mode})`,
    `Datasets: ${c.datasets.join(', ')}`,
  ];
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_PARTIAL = 2;
export const EXIT_USAGE = 64;

export class UsageError extends Error {}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const defaultIo: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

interface FlagSpec {
  /** Takes a value. */
  value: boolean;
  repeat?: boolean;
}

type Parsed = { flags: Record<string, string[]>; positionals: string[]; help: boolean };

const COMMON: Record<string, FlagSpec> = {
  root: { value: true },
  'durable-dir': { value: true },
  hub: { value: true },
};

export function parseFlags(args: string[], spec: Record<string, FlagSpec>, maxPositionals: number): Parsed {
  const all = { ...COMMON, ...spec };
  const flags: Record<string, string[]> = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq >= 0 ? eq : undefined);
      const def = all[name];
      if (!def) throw new UsageError(`unknown option --${name}`);
      let value: string;
      if (def.value) {
        if (eq >= 0) value = arg.slice(eq + 1);
        else {
          const next = args[i + 1];
          if (next === undefined || next.startsWith('--'))
            throw new UsageError(`option --${name} needs a value`);
          value = next;
          i++;
        }
        if (value === '') throw new UsageError(`option --${name} needs a value`);
      } else {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
        value = 'true';
      }
      const list = (flags[name] ??= []);
      if (list.length > 0 && !def.repeat) throw new UsageError(`option --${name} given more than once`);
      list.push(value);
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
    positionals.push(arg);
  }
  if (!help && positionals.length > maxPositionals)
    throw new UsageError(`unexpected argument: ${positionals[maxPositionals] ?? ''}`);
  return { flags, positionals, help };
}

const one = (p: Parsed, name: string): string | undefined => p.flags[name]?.[0];

const HELP: Record<string, string> = {
  main: `Usage: watt-watcher <command> [options]

Commands:
  start                 Run the Functions host (HTTP on :7071, timer triggers, durable engine)
  ingest                Start one ingestion run and wait for it to finish
  runs list | runs show Inspect orchestration runs in the durable store
  state                 Print entity states

Common options:
  --root DIR            App root (package.json, host.json); default: current directory
  --durable-dir DIR     Durable store root; default <root>/.durable
  --hub NAME            Task hub; default host.json extensions.durableTask.hubName
  -h, --help            Help for a command`,
  start: `Usage: watt-watcher start [--port N] [--fast-timers[=FACTOR]] [--no-timers] [--entry GLOB]...

Runs the embedded Functions host until Ctrl-C.
  --port N              HTTP port (default 7071; 0 = any free port)
  --fast-timers         Accelerated clock (default x20): durable timers and schedules run faster
  --no-timers           Do not run timer triggers
  --entry GLOB          Entry files (default: package.json "main")`,
  ingest: `Usage: watt-watcher ingest [--from ISO] [--to ISO] [--dataset ID]... [--fast-timers]

Starts one run through the app's httpStarter function (its validation and budget checks apply),
prints progress and, on the last line, the run summary as JSON.
Exit: 0 succeeded, 2 partial, 1 failed or refused (429), 64 invalid request or usage.
  --from ISO            Window start (UTC)
  --to ISO              Window end (UTC)
  --dataset ID          Dataset id; repeat for several
  --fast-timers         Accelerated clock: retry back-offs do not wait in real time`,
  runs: `Usage: watt-watcher runs list [--status S] [--limit N]
       watt-watcher runs show <instanceId>

  --status S            Pending, Running, Completed, Failed, Terminated (comma-separated)
  --limit N             At most N runs, newest first (default 20)`,
  state: `Usage: watt-watcher state

Prints every entity (name@key) with its state.`,
};

function resolvePaths(p: Parsed): { rootDir: string; durableDir: string; hubName: string } {
  const rootDir = path.resolve(one(p, 'root') ?? process.cwd());
  const durableDir = path.resolve(one(p, 'durable-dir') ?? path.join(rootDir, '.durable'));
  return { rootDir, durableDir, hubName: resolveHubName(rootDir, one(p, 'hub')) };
}

function parseAcceleration(p: Parsed): number | undefined {
  const raw = one(p, 'fast-timers');
  if (raw === undefined) return undefined;
  if (raw === 'true') return 20;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 1) throw new UsageError(`--fast-timers must be a factor > 1, got "${raw}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(HELP.main ?? '');
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      case 'start':
        return await cmdStart(rest, io);
      case 'ingest':
        return await cmdIngest(rest, io);
      case 'runs':
        return cmdRuns(rest, io);
      case 'state':
        return cmdState(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`watt-watcher: ${err.message}`);
      io.err(`Run "watt-watcher ${command && HELP[command] ? `${command} ` : ''}--help" for usage.`);
      return EXIT_USAGE;
    }
    io.err(`watt-watcher: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILED;
  }
}

async function cmdStart(args: string[], io: CliIo): Promise<number> {
  const p = parseFlags(
    args,
    {
      port: { value: true },
      'fast-timers': { value: false },
      'no-timers': { value: false },
      entry: { value: true, repeat: true },
    },
    0,
  );
  if (p.help) {
    io.out(HELP.start ?? '');
    return EXIT_OK;
  }
  const port = one(p, 'port') === undefined ? 7071 : Number(one(p, 'port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535`);
  const factor = parseAcceleration(p);
  const { rootDir, durableDir, hubName } = resolvePaths(p);
  const host = await startHost({
    defaultSettings: APP_DEFAULT_SETTINGS,
    bannerExtras: appBanner,
    rootDir,
    entryFiles: p.flags.entry,
    durableDir,
    hubName,
    port,
    clock: factor ? new AcceleratedClock(factor) : new RealClock(),
    timers: one(p, 'no-timers') === undefined,
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

interface RunOutput {
  status?: string;
  [key: string]: unknown;
}

async function cmdIngest(args: string[], io: CliIo): Promise<number> {
  const p = parseFlags(
    args,
    {
      from: { value: true },
      to: { value: true },
      dataset: { value: true, repeat: true },
      'fast-timers': { value: false },
    },
    0,
  );
  if (p.help) {
    io.out(HELP.ingest ?? '');
    return EXIT_OK;
  }
  const factor = parseAcceleration(p);
  const { rootDir, durableDir, hubName } = resolvePaths(p);
  const body: Record<string, unknown> = {};
  if (one(p, 'from') !== undefined) body.from = one(p, 'from');
  if (one(p, 'to') !== undefined) body.to = one(p, 'to');
  if (p.flags.dataset) body.datasets = p.flags.dataset;

  const host = await startHost({
    defaultSettings: APP_DEFAULT_SETTINGS,
    rootDir,
    durableDir,
    hubName,
    clock: factor ? new AcceleratedClock(factor) : new RealClock(),
    http: false,
    timers: false,
    banner: false,
    logger: consoleLogger('warning'),
  });
  try {
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost:7071/api/ingestion/runs',
      headers: { 'content-type': 'application/json' },
      body: { string: JSON.stringify(body) },
    });
    const raw = await host.invokeHttp('httpStarter', request);
    let status = 200;
    let payload: unknown;
    if (raw instanceof HttpResponse) {
      status = raw.status;
      const text = await raw.text();
      payload = text ? (JSON.parse(text) as unknown) : undefined;
    } else if (raw && typeof raw === 'object') {
      const init = raw as { status?: number; jsonBody?: unknown; body?: unknown };
      status = init.status ?? 200;
      payload =
        init.jsonBody ?? (typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : init.body);
    }
    if (status !== 202 && status !== 200) {
      io.err(`ingest refused (HTTP ${status}):`);
      io.out(JSON.stringify(payload ?? null));
      return status === 400 ? EXIT_USAGE : EXIT_FAILED;
    }
    const p2 = (payload ?? {}) as { id?: string; instanceId?: string };
    const instanceId = p2.id ?? p2.instanceId;
    if (!instanceId) {
      io.err('ingest: the starter answered without an instance id');
      io.out(JSON.stringify(payload ?? null));
      return EXIT_FAILED;
    }
    io.out(`started ${instanceId}`);
    let lastLine = '';
    const onChange = (rec: InstanceRecord): void => {
      if (rec.instanceId !== instanceId) return;
      const line = progressLine(rec);
      if (line && line !== lastLine) {
        lastLine = line;
        io.out(line);
      }
    };
    host.engine.on('instance', onChange);
    const rec = await host.engine.waitForCompletion(instanceId);
    host.engine.off('instance', onChange);
    // the run's entity signals are delivered after it completes: let them land before exiting
    await host.engine.waitForIdle();
    const output = rec.output ? (JSON.parse(rec.output) as unknown) : null;
    if (rec.status === 'Completed' && output && typeof output === 'object') {
      const o = output as RunOutput;
      io.out(JSON.stringify({ ...o, instanceId }));
      return o.status === 'succeeded' ? EXIT_OK : o.status === 'partial' ? EXIT_PARTIAL : EXIT_FAILED;
    }
    io.out(JSON.stringify({ instanceId, status: 'failed', error: output ?? rec.status }));
    return EXIT_FAILED;
  } finally {
    await host.stop();
  }
}

function progressLine(rec: InstanceRecord): string | undefined {
  if (!rec.customStatus) return `${rec.status.toLowerCase()}`;
  const cs = JSON.parse(rec.customStatus) as Record<string, unknown>;
  const n = (k: string): number => {
    const v = cs[k];
    return typeof v === 'number' ? v : 0;
  };
  const stage = typeof cs.stage === 'string' ? cs.stage : rec.status.toLowerCase();
  const done = stage === 'fetch' ? n('fetched') + n('failed') : n('stored') + n('failed');
  return `[${stage}] slices ${done}/${n('slices')}  fetched=${n('fetched')} stored=${n('stored')} failed=${n('failed')}`;
}

// runs / state read the store directly ---------------------------------------------------------

function openStore(p: Parsed): TaskHubStore {
  const { durableDir, hubName } = resolvePaths(p);
  return new TaskHubStore(durableDir, hubName);
}

function cmdRuns(args: string[], io: CliIo): number {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.out(HELP.runs ?? '');
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (sub === 'list') {
    const p = parseFlags(rest, { status: { value: true }, limit: { value: true } }, 0);
    if (p.help) {
      io.out(HELP.runs ?? '');
      return EXIT_OK;
    }
    let wanted: RuntimeStatus[] | undefined;
    const rawStatus = one(p, 'status');
    if (rawStatus) {
      wanted = rawStatus.split(',').map((s) => {
        const match = RUNTIME_STATUSES.find((x) => x.toLowerCase() === s.trim().toLowerCase());
        if (!match) throw new UsageError(`unknown status "${s}" (use ${RUNTIME_STATUSES.join(', ')})`);
        return match;
      });
    }
    const limitRaw = one(p, 'limit') ?? '20';
    const limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1)
      throw new UsageError(`--limit must be a positive whole number`);
    const list = openStore(p)
      .loadAllInstances()
      .filter((r) => !wanted || wanted.includes(r.status))
      .sort((a, b) => b.createdTime.localeCompare(a.createdTime))
      .slice(0, limit);
    if (list.length === 0) {
      io.out('no runs');
      return EXIT_OK;
    }
    for (const r of list) {
      io.out(
        `${r.instanceId}  ${r.status.padEnd(10)}  created ${r.createdTime}  updated ${r.lastUpdatedTime}  ${r.name}${r.customStatus ? `  ${r.customStatus}` : ''}`,
      );
    }
    return EXIT_OK;
  }
  if (sub === 'show') {
    const p = parseFlags(rest, {}, 1);
    if (p.help) {
      io.out(HELP.runs ?? '');
      return EXIT_OK;
    }
    const id = p.positionals[0];
    if (!id) throw new UsageError('runs show needs an instance id');
    const store = openStore(p);
    const file = store.instanceFile(id);
    if (!fs.existsSync(file)) {
      io.err(`no run with id ${id}`);
      return EXIT_FAILED;
    }
    const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as InstanceRecord;
    for (const line of describeRun(rec)) io.out(line);
    return EXIT_OK;
  }
  throw new UsageError(`unknown runs subcommand "${sub}"`);
}

function truncate(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`;
}

/** DfMon-like description: status, times, custom status, then every history event in order. */
export function describeRun(rec: InstanceRecord): string[] {
  const lines = [
    `Instance:      ${rec.instanceId}`,
    `Orchestrator:  ${rec.name}`,
    `Status:        ${rec.status}${isTerminal(rec.status) ? '' : ' (in progress)'}`,
    `Created:       ${rec.createdTime}`,
    `Last updated:  ${rec.lastUpdatedTime}`,
    `Custom status: ${rec.customStatus ?? '-'}`,
  ];
  if (rec.output) lines.push(`Output:        ${truncate(rec.output, 400)}`);
  lines.push('History:');
  const scheduled = new Map<number, HistoryEvent>();
  const attempts = new Map<string, number>();
  rec.history.forEach((e, i) => {
    const n = `#${i}`.padEnd(5);
    const t = EventType[e.EventType] ?? String(e.EventType);
    let detail = '';
    switch (e.EventType) {
      case EventType.ExecutionStarted:
        detail = `${e.Name ?? ''} input ${truncate(e.Input ?? 'null', 120)}`;
        break;
      case EventType.TaskScheduled: {
        scheduled.set(e.EventId, e);
        const key = `${e.Name ?? ''}\u0000${e.Input ?? ''}`;
        const k = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, k);
        detail = `${e.Name ?? ''}  attempt ${k}  (task ${e.EventId})`;
        break;
      }
      case EventType.TaskCompleted:
        detail = `${scheduled.get(e.TaskScheduledId ?? -1)?.Name ?? '?'} (task ${e.TaskScheduledId ?? '?'})  ${truncate(e.Result ?? '', 120)}`;
        break;
      case EventType.TaskFailed:
        detail = `${scheduled.get(e.TaskScheduledId ?? -1)?.Name ?? '?'} (task ${e.TaskScheduledId ?? '?'})  reason ${truncate(e.Reason ?? '')}`;
        break;
      case EventType.TimerCreated:
        detail = `fireAt ${e.FireAt ?? ''}  (timer ${e.EventId})`;
        break;
      case EventType.TimerFired:
        detail = `fireAt ${e.FireAt ?? ''}  (timer ${e.TimerId ?? '?'})`;
        break;
      case EventType.EventSent:
        detail = `${e.InstanceId ?? ''} ${truncate(e.Input ?? '', 120)}`;
        break;
      case EventType.EventRaised:
        detail = `${e.Name ?? ''} ${truncate(e.Input ?? '', 120)}`;
        break;
      case EventType.ExecutionCompleted:
      case EventType.ExecutionTerminated:
        detail = `${e.OrchestrationStatus ?? ''} ${truncate(e.Result ?? e.Input ?? '', 200)}`;
        break;
      default:
        break;
    }
    lines.push(`  ${n} ${e.Timestamp}  ${t.padEnd(21)} ${detail}`.trimEnd());
  });
  if (rec.inbox.length > 0)
    lines.push(`Pending events: ${rec.inbox.map((e) => EventType[e.EventType]).join(', ')}`);
  return lines;
}

function cmdState(args: string[], io: CliIo): number {
  const p = parseFlags(args, {}, 0);
  if (p.help) {
    io.out(HELP.state ?? '');
    return EXIT_OK;
  }
  const entities = openStore(p)
    .loadAllEntities()
    .filter((e) => e.exists)
    .sort((a, b) => a.id.localeCompare(b.id));
  if (entities.length === 0) {
    io.out('no entities');
    return EXIT_OK;
  }
  for (const e of entities) {
    io.out(
      `${e.name}@${e.key}  (updated ${e.lastModifiedTime}${e.queue.length ? `, ${e.queue.length} queued` : ''})`,
    );
    io.out(`  ${e.state ?? 'null'}`);
  }
  return EXIT_OK;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = EXIT_FAILED;
    },
  );
}
