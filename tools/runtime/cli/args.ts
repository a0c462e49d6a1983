/** One argument parser for every command: node:util parseArgs, with the runtime's usage errors. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveHubName } from '../host';
import type { FlagSpec, FlagValues } from '../profile';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_PARTIAL = 2;
export const EXIT_USAGE = 64;

export class UsageError extends Error {}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface Parsed {
  flags: FlagValues;
  positionals: string[];
  help: boolean;
}

const COMMON: Record<string, FlagSpec> = {
  root: { type: 'string' },
  'durable-dir': { type: 'string' },
  hub: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** `--fast-timers` takes an optional value, which parseArgs cannot express: bare means the default factor. */
const OPTIONAL_VALUE: Record<string, string> = { '--fast-timers': '--fast-timers=20' };

function usageMessage(err: Error): string {
  const missing = /^Option '(--?[\w-]+)(?: <value>)?' argument (missing|is ambiguous)/.exec(err.message);
  if (missing) return `option ${missing[1]} needs a value`;
  const unknown = /^Unknown option '([^']+)'/.exec(err.message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const noValue = /^Option '(--?[\w-]+)' does not take an argument/.exec(err.message);
  if (noValue) return `option ${noValue[1]} takes no value`;
  const positional = /^Unexpected argument '([^']*)'/.exec(err.message);
  if (positional) return `unexpected argument: ${positional[1]}`;
  return err.message.split('\n')[0] ?? err.message;
}

export function parseCommand(args: string[], spec: Record<string, FlagSpec>, maxPositionals: number): Parsed {
  const options = { ...COMMON, ...spec };
  let result: ReturnType<typeof parseArgs>;
  try {
    result = parseArgs({
      args: args.map((a) => OPTIONAL_VALUE[a] ?? a),
      options,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (err) {
    // (no instanceof: under jest the error comes from another realm)
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(usageMessage(err as Error));
    throw err;
  }
  const seen = new Set<string>();
  for (const token of result.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name) && !options[token.name]?.multiple)
      throw new UsageError(`option --${token.name} given more than once`);
    seen.add(token.name);
    if (options[token.name]?.type === 'string' && token.value === '')
      throw new UsageError(`option --${token.name} needs a value`);
  }
  const help = result.values.help === true;
  if (!help && result.positionals.length > maxPositionals)
    throw new UsageError(`unexpected argument: ${result.positionals[maxPositionals] ?? ''}`);
  return { flags: result.values, positionals: result.positionals, help };
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function resolvePaths(p: Parsed): { rootDir: string; durableDir: string; hubName: string } {
  const rootDir = path.resolve(str(p, 'root') ?? process.cwd());
  const durableDir = path.resolve(str(p, 'durable-dir') ?? path.join(rootDir, '.durable'));
  return { rootDir, durableDir, hubName: resolveHubName(rootDir, str(p, 'hub')) };
}

export function parseAcceleration(p: Parsed): number | undefined {
  const raw = str(p, 'fast-timers');
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 1) throw new UsageError(`--fast-timers must be a factor > 1, got "${raw}"`);
  return n;
}
