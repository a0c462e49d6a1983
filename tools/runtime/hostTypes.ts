/** What the embedded host takes (options) and what it hands back (the running host). */
import type { HttpRequest } from '@azure/functions';
import type * as df from 'durable-functions';
import type { Clock } from './clock';
import type { DurableEngine } from './durable/engine';
import type { RouteInfo } from './httpHost';
import type { Logger } from './logger';
import type { FunctionRegistry } from './registry';
import type { TimerHost } from './timerHost';

export interface HostOptions {
  /** App root: package.json, host.json and local.settings.json live here. */
  rootDir: string;
  /** Entry files/globs relative to rootDir; default package.json "main". */
  entryFiles?: string[];
  /** Durable store root; the task hub lives in `<durableDir>/<hubName>/`. Default `<rootDir>/.durable`. */
  durableDir?: string;
  /** Default: host.json extensions.durableTask.hubName (with %SETTING% resolved), else TestHubName. */
  hubName?: string;
  clock?: Clock;
  /** HTTP port, default 7071; 0 picks a free port. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  listenHost?: string;
  /** Keys for authLevel "function"; default the `functionKeyEnv` setting, else a key generated once and kept in keys.json. */
  functionKeys?: string[];
  /** App setting that holds the function key (the app's profile names it). */
  functionKeyEnv?: string;
  /** Banner title (default "Embedded Functions runtime"). */
  title?: string;
  /** Validates the app's settings once they are applied, before anything starts; throws to refuse. */
  checkSettings?: () => void;
  /** Links for the banner, given the HTTP origin and the function key. */
  bannerLinks?: (ctx: { httpUrl: string; functionKey: string }) => string[];
  /**
   * Timer functions whose latest occurrence never ran (no schedule status yet) fire it at once,
   * past due, as if the host had been down at that time (`npm start`; default false).
   */
  timerCatchUp?: boolean;
  masterKey?: string;
  /** Default host.json extensions.durableTask.maxConcurrentActivityFunctions (else 10). */
  maxConcurrentActivities?: number;
  logger?: Logger;
  /** Extra lines for the startup banner. */
  bannerExtras?: string[] | (() => string[]);
  /** Where the banner goes (default: logger at information; false: no banner). */
  banner?: false | ((text: string) => void);
  /** Start timer triggers (default true). */
  timers?: boolean;
  /** Passed to timerHost (undefined honours each binding's runOnStartup). */
  runOnStartup?: boolean;
  /** Read local.settings.json Values into process.env (default true). */
  loadSettings?: boolean;
  /** App settings applied after local.settings.json, only where still unset (what `az functionapp` would have set). */
  defaultSettings?: Record<string, string>;
  /** Serve HTTP triggers (default true). */
  http?: boolean;
}

export interface RunningHost {
  registry: FunctionRegistry;
  engine: DurableEngine;
  clock: Clock;
  hubName: string;
  /** Origin of the HTTP host, e.g. http://127.0.0.1:7071 (empty when http is off). */
  httpUrl: string;
  rpcBaseUrl: string;
  functionKeys: string[];
  masterKey: string;
  routes: RouteInfo[];
  banner: string;
  /** The `durableClient` binding data handed to client functions. */
  clientData(): Record<string, unknown>;
  /** A real durable-functions DurableClient bound to this host. */
  client(): df.DurableClient;
  /** Invokes any registered non-durable function in-process (HTTP/timer triggers). */
  invoke(name: string, triggerInput: unknown): Promise<unknown>;
  /** Invokes an HTTP-triggered function in-process with a real HttpRequest. */
  invokeHttp(name: string, request: HttpRequest): Promise<unknown>;
  timerHost?: TimerHost;
  stop(): Promise<void>;
}
