/**
 * What an app tells the embedded runtime about itself. The runtime knows nothing of any app: the
 * app hands it one plain-data profile (for Watt Watcher, shared/localProfile.ts), and a thin entry
 * (tools/watt-watcher.ts) glues `runCli(profile, argv)` to it. A profile imports nothing from
 * tools/: it matches these types structurally.
 *
 * App commands are entries: each names an HTTP function to call in-process (the runtime starts the
 * host without HTTP or timers, builds a real HttpRequest from the flags, invokes the function and
 * hands the answer to `print`). A command that GETs a route and prints it:
 *
 *   {
 *     name: 'gaps',
 *     summary: 'List the open gaps',
 *     usage: 'Usage: watt-watcher gaps [--dataset ID]\n\n  --dataset ID   Only this dataset',
 *     flags: { dataset: { type: 'string' } },
 *     call: { function: FN.listGaps, method: 'GET', path: '/api/ingestion/gaps',
 *             query: (f) => (f.dataset ? { dataset: String(f.dataset) } : {}) },
 *     print: (answer) => ({ exit: answer.status === 200 ? 0 : 1, lines: [JSON.stringify(answer.body)] }),
 *   }
 *
 * `print` may instead return `{ follow: instanceId }`: the runtime then waits for that orchestration,
 * prints `progress(run)` lines as its custom status changes, and ends with `finished(run)`.
 */

/** Flag values as node:util parseArgs returns them. */
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface FlagSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

/** An orchestration as a command sees it while following it. */
export interface RunView {
  instanceId: string;
  status: string;
  customStatus: unknown;
  output: unknown;
}

/** Lines for stdout, lines for stderr, and the process exit code. */
export interface CommandOutput {
  lines: readonly string[];
  errLines?: readonly string[];
  exit: number;
}

export interface AppCommand {
  name: string;
  /** One line for the main help. */
  summary: string;
  /** Full help text for `<command> --help`. */
  usage: string;
  flags?: Record<string, FlagSpec>;
  /** Accepts --fast-timers (accelerated clock, e.g. so retry back-offs do not wait in real time). */
  fastTimers?: boolean;
  call: {
    /** Registered HTTP function to invoke. */
    function: string;
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    /** Path of the request URL, e.g. /api/ingestion/runs. */
    path: string;
    query?: (flags: FlagValues) => Record<string, string>;
    body?: (flags: FlagValues) => unknown;
  };
  print(answer: {
    status: number;
    body: unknown;
  }): CommandOutput | { follow: string; lines?: readonly string[] };
  /** While following: a line for the run's current state (printed when it changes). */
  progress?: (run: RunView) => string | undefined;
  /** When the followed run is finished. */
  finished?: (run: RunView) => CommandOutput;
}

export interface BannerContext {
  /** Origin of the HTTP host, e.g. http://localhost:7071. */
  httpUrl: string;
  functionKey: string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface AppProfile {
  /** Command name in help and errors, e.g. watt-watcher. */
  cli: string;
  /** Banner title, e.g. "Watt Watcher embedded Functions runtime". */
  title?: string;
  /** App setting holding the function key (else a generated key kept in keys.json). */
  functionKeyEnv?: string;
  /** App settings applied after local.settings.json where still unset (what the infrastructure sets on Azure). */
  defaultSettings?: Record<string, string>;
  /** Validates the settings before anything starts; throws an Error whose message names what is wrong. */
  checkSettings?: (env: Readonly<Record<string, string | undefined>>) => void;
  /** App lines for the startup banner (settings read after local.settings.json is applied). */
  bannerLines?: (env: Readonly<Record<string, string | undefined>>) => string[];
  /** Links for the banner, e.g. a page carrying the function key. */
  bannerLinks?: (ctx: BannerContext) => string[];
  commands?: readonly AppCommand[];
}
