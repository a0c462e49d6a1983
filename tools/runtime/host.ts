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
import * as path from 'node:path';
import type { Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { InvocationContext } from '@azure/functions';
import { RealClock, toTimerClock } from './clock';
import { DurableEngine } from './durable/engine';
import { buildClientData, DurableHttpApi, startRpcServer } from './durable/httpApi';
import { getHooks, setLogSink } from './functionsCore';
import { readHostJson, resolveHubName } from './hostJson';
import type { HostOptions, RunningHost } from './hostTypes';
import { startHttpHost, type HttpHost } from './httpHost';
import { invokeFunction } from './invoke';
import { loadApp } from './loader';
import { consoleLogger, type LogLevel } from './logger';
import type { RegisteredFunction } from './registry';
import { startTimerHost, type TimerHost } from './timerHost';
import { renderBanner } from './banner';
import { hostKeys } from './hostKeys';
import { acquireHubLock } from './hubLock';

export { renderBanner } from './banner';
export { resolveHubName } from './hostJson';
export { loadKeys } from './hostKeys';
export type { HostOptions, RunningHost } from './hostTypes';
export { acquireHubLock, HubLockedError } from './hubLock';

/** A real durable-functions DurableClient over the given binding data. */
function durableClient(clientData: Record<string, unknown>): df.DurableClient {
  const context = new InvocationContext({
    functionName: 'embedded-client',
    options: { extraInputs: [{ type: 'durableClient', name: 'durableClient' }] },
  });
  context.extraInputs.set('durableClient', clientData);
  return df.getClient(context);
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
  const { keys, functionKeys, masterKey, keySource } = await hostKeys(engine.store.hubDir, options);

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
    keySource,
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
    client: () => durableClient(clientData()),
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
