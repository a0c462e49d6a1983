/**
 * The embedded Functions host: loads the app's registered functions, runs the durable engine
 * with its HTTP API, serves HTTP triggers (httpHost.ts) and fires timer triggers (timerHost.ts).
 *
 *   const host = await startHost({ rootDir, entryFiles: ['test/tools/runtime/fixtures/app.ts'],
 *                                  durableDir: tmp, clock: new VirtualClock(), port: 0 });
 *   const res = await fetch(`${host.httpUrl}/api/start?code=${host.functionKeys[0]}`, { method: 'POST' });
 *   const rec = await host.engine.waitForCompletion(id);
 *   await host.stop();
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HttpRequest, Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { InvocationContext } from '@azure/functions';
import { RealClock, toTimerClock, type Clock } from './clock';
import { DurableEngine } from './durable/engine';
import { buildClientData, DurableHttpApi, startRpcServer } from './durable/httpApi';
import { getHooks, setLogSink } from './functionsCore';
import { startHttpHost, type HttpHost, type RouteInfo } from './httpHost';
import { invokeFunction } from './invoke';
import { loadApp } from './loader';
import { consoleLogger, type Logger, type LogLevel } from './logger';
import type { FunctionRegistry, RegisteredFunction } from './registry';
import { startTimerHost, type TimerHost } from './timerHost';
import { renderBanner } from './banner';
import { loadKeys } from './hostKeys';
import { acquireHubLock } from './hubLock';

export { renderBanner } from './banner';
export { loadKeys } from './hostKeys';
export { acquireHubLock, HubLockedError } from './hubLock';

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

interface HostJson {
  extensions?: {
    durableTask?: { hubName?: string; maxConcurrentActivityFunctions?: number };
    http?: { routePrefix?: string };
  };
}

function readHostJson(rootDir: string): HostJson {
  const file = path.join(rootDir, 'host.json');
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as HostJson;
}

function resolveSettingRefs(value: string): string {
  return value.replace(/%([^%]+)%/g, (_m, name: string) => process.env[name] ?? '');
}

export function resolveHubName(rootDir: string, explicit?: string): string {
  if (explicit) return explicit;
  const configured = readHostJson(rootDir).extensions?.durableTask?.hubName;
  const resolved = configured ? resolveSettingRefs(configured).trim() : '';
  return resolved || 'TestHubName';
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const rootDir = path.resolve(options.rootDir);
  const logger = options.logger ?? consoleLogger();
  setLogSink((level, category, message) =>
    logger.log(level as LogLevel, message, category === 'system' ? 'Worker' : category),
  );
  const { registry } = loadApp({
    rootDir,
    entryFiles: options.entryFiles,
    loadSettings: options.loadSettings,
  });
  for (const [name, value] of Object.entries(options.defaultSettings ?? {})) {
    if (process.env[name] === undefined || process.env[name] === '') process.env[name] = value;
  }
  options.checkSettings?.();
  const hostJson = readHostJson(rootDir);
  const hubName = resolveHubName(rootDir, options.hubName);
  const durableDir = path.resolve(options.durableDir ?? path.join(rootDir, '.durable'));
  const clock = options.clock ?? new RealClock();
  const maxConcurrentActivities =
    options.maxConcurrentActivities ?? hostJson.extensions?.durableTask?.maxConcurrentActivityFunctions ?? 10;

  const engine = new DurableEngine({ registry, durableDir, hubName, clock, logger, maxConcurrentActivities });
  await engine.store.init();
  const releaseLock = acquireHubLock(engine.store.hubDir);
  const keys = await loadKeys(engine.store.hubDir);
  const envKey = options.functionKeyEnv ? process.env[options.functionKeyEnv]?.trim() : undefined;
  const functionKeys = options.functionKeys ?? [envKey || keys.functionKey];
  const masterKey = options.masterKey ?? keys.masterKey;

  let publicOrigin = `http://localhost:${options.port ?? 7071}`;
  let rpcBaseUrl = '';
  const clientData = (): Record<string, unknown> =>
    buildClientData({ hubName, publicOrigin, rpcBaseUrl, systemKey: keys.systemKey });
  const api = new DurableHttpApi({ engine, clientData, webhookKeys: () => [keys.systemKey, masterKey] });
  const rpc = await startRpcServer(api, 0);
  rpcBaseUrl = rpc.rpcBaseUrl;

  const invokeNamed = async (
    fn: RegisteredFunction,
    input: unknown,
    invocationId?: string,
  ): Promise<unknown> => {
    const { result } = await invokeFunction(fn, input, {
      logger,
      durableClientData: clientData(),
      invocationId,
    });
    return result;
  };

  let http: HttpHost | undefined;
  let websiteHostnameSet = false;
  try {
    await engine.start();
    for (const hook of getHooks('appStart')) await hook({ hookData: {}, function: undefined });
    if (options.http !== false) {
      http = await startHttpHost({
        port: options.port ?? 7071,
        host: options.listenHost,
        routePrefix: hostJson.extensions?.http?.routePrefix,
        functions: registry.list(),
        functionKeys,
        masterKey,
        invoke: (fn, request, meta) => invokeNamed(fn, request, meta.invocationId) as never,
        extraRoutes: api.webhookRoutes,
        log: (line) => logger.log('information', line, 'Host.Http'),
      });
      publicOrigin = `http://localhost:${http.port}`;
      if (process.env.WEBSITE_HOSTNAME === undefined) {
        // As Core Tools does: durable-functions then keeps the management URLs' origin.
        process.env.WEBSITE_HOSTNAME = `localhost:${http.port}`;
        websiteHostnameSet = true;
      }
    }
  } catch (err) {
    await rpc.close();
    await engine.stop();
    releaseLock();
    throw err;
  }

  let timerHost: TimerHost | undefined;
  if (options.timers !== false && registry.byTrigger('timerTrigger').length > 0) {
    timerHost = startTimerHost({
      functions: registry.list(),
      clock: toTimerClock(clock),
      stateDir: engine.store.hubDir,
      fire: async (fn: RegisteredFunction, timer: Timer) => {
        await invokeNamed(fn, timer);
      },
      log: (line) => logger.log('information', line, 'Host.Timer'),
      runOnStartup: options.runOnStartup,
      catchUpNeverRun: options.timerCatchUp === true,
    });
  }

  const routes = http?.routes ?? [];
  const httpOrigin = http ? `http://localhost:${http.port}` : '';
  const banner = renderBanner({
    title: options.title ?? 'Embedded Functions runtime',
    registry,
    routes,
    hubName,
    storeDir: engine.store.hubDir,
    httpUrl: httpOrigin,
    functionKey: functionKeys[0] ?? '',
    keySource: options.functionKeys
      ? 'option'
      : envKey
        ? (options.functionKeyEnv ?? 'env')
        : keys.generated
          ? 'generated'
          : 'keys.json',
    timerNext: timerHost?.nextOccurrences() ?? {},
    timerStartup: timerHost?.startupFires() ?? {},
    maxConcurrentActivities,
    clock,
    extras:
      typeof options.bannerExtras === 'function' ? options.bannerExtras() : (options.bannerExtras ?? []),
    links:
      http && options.bannerLinks
        ? options.bannerLinks({ httpUrl: httpOrigin, functionKey: functionKeys[0] ?? '' })
        : [],
  });
  if (options.banner !== false) {
    if (options.banner) options.banner(banner);
    else logger.log('information', banner, 'Host');
  }

  let stopped = false;
  return {
    registry,
    engine,
    clock,
    hubName,
    httpUrl: http ? `http://127.0.0.1:${http.port}` : '',
    rpcBaseUrl,
    functionKeys,
    masterKey,
    routes,
    banner,
    clientData,
    client: () => {
      const context = new InvocationContext({
        functionName: 'embedded-client',
        options: { extraInputs: [{ type: 'durableClient', name: 'durableClient' }] },
      });
      context.extraInputs.set('durableClient', clientData());
      return df.getClient(context);
    },
    invoke: async (name, triggerInput) => {
      const fn = registry.get(name);
      if (!fn) throw new Error(`No function named ${name}`);
      return invokeNamed(fn, triggerInput);
    },
    invokeHttp: async (name, request) => {
      const fn = registry.get(name);
      if (!fn || fn.triggerType.toLowerCase() !== 'httptrigger')
        throw new Error(`No HTTP function named ${name}`);
      return invokeNamed(fn, request);
    },
    timerHost,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      timerHost?.stop();
      if (http) await http.close();
      await engine.stop();
      await rpc.close();
      for (const hook of getHooks('appTerminate')) {
        try {
          await hook({ hookData: {} });
        } catch {
          // ignore
        }
      }
      if (websiteHostnameSet) delete process.env.WEBSITE_HOSTNAME;
      releaseLock();
    },
  };
}
