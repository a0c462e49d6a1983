/**
 * The real engine: the .NET conformance host (the Durable Functions extension on the WebJobs SDK,
 * Azure Storage provider on Azurite) and the Node bridge that runs the compiled app for it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startAzurite, type Azurite } from './azurite';
import { hostClock, wallNow } from './hostClock';
import { startChild, type Child } from './processes';

export interface ClientData {
  taskHubName: string;
  rpcBaseUrl: string;
  [key: string]: unknown;
}

export interface RealEngine {
  hub: string;
  azurite: Azurite;
  client: ClientData;
  /** Sets the bridge's app settings and the instant its `Date` and the host's clock read (then ticking). */
  reset(env: Record<string, string>, now: number): Promise<void>;
  /** Invokes a timer or other non-HTTP function through the bridge with the durableClient data. */
  invoke(name: string, input: unknown): Promise<unknown>;
  /** Invokes an HTTP function through the bridge. */
  http(
    name: string,
    req: { method: string; url: string; body?: string; params?: Record<string, string> },
  ): Promise<{ status: number; body: string }>;
  /** GET/DELETE on the extension's HTTP API (relative to rpcBaseUrl). */
  api(method: string, relative: string): Promise<{ status: number; body: unknown }>;
  /** History table rows of one instance, in order. */
  history(instanceId: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export function hubName(rootDir: string): string {
  const hostJson = JSON.parse(fs.readFileSync(path.join(rootDir, 'host.json'), 'utf8')) as {
    extensions?: { durableTask?: { hubName?: string } };
  };
  const hub = hostJson.extensions?.durableTask?.hubName;
  if (!hub) throw new Error('host.json has no extensions.durableTask.hubName');
  return hub;
}

export function hostDll(rootDir: string): string {
  const dir = path.join(rootDir, 'tools/conformance/host/bin/Release');
  const tfm = fs.existsSync(dir) ? fs.readdirSync(dir).find((d) => d.startsWith('net')) : undefined;
  if (!tfm) throw new Error(`the conformance host is not built (${dir}): run npm run test:conformance`);
  return path.join(dir, tfm, 'ConformanceHost.dll');
}

async function post(url: string, body: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  if (!res.ok) throw new Error(`bridge ${url} answered ${res.status}: ${text}`);
  return text;
}

/** How far the host's `Date` header (whole seconds, refreshed each second) may be from the target. */
const CLOCK_TOLERANCE_MS = 3_000;

/**
 * Waits until the host's HTTP API answers with a `Date` on the new clock: a run started on a
 * stale clock would read the wrong `currentUtcDateTime` (and see published quarters as future).
 */
async function confirmHostClock(rpcBaseUrl: string, target: number): Promise<void> {
  const setAt = wallNow();
  const deadline = setAt + 10_000;
  let seen: string;
  for (;;) {
    const res = await fetch(new URL('instances/?top=1', rpcBaseUrl));
    await res.arrayBuffer();
    const date = Date.parse(res.headers.get('date') ?? '');
    seen = Number.isNaN(date) ? 'no Date header' : new Date(date).toISOString();
    const expected = target + (wallNow() - setAt);
    if (Math.abs(date - expected) <= CLOCK_TOLERANCE_MS) return;
    if (wallNow() > deadline) {
      throw new Error(
        `the conformance host's clock reads ${seen}, not ${new Date(expected).toISOString()}: ` +
          'libfaketime did not re-read its offset file',
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startRealEngine(
  rootDir: string,
  opts: { dataDir?: string; echo?: boolean; now?: number } = {},
): Promise<RealEngine> {
  const hub = hubName(rootDir);
  const clock = hostClock(opts.now ?? wallNow());
  const azurite = await startAzurite(rootDir, opts.dataDir);
  const children: Child[] = [];
  try {
    const bridge = await startChild(
      process.execPath,
      [path.join(rootDir, 'dist/tools/conformance/bridge.js')],
      {
        env: { ...process.env, FUNCTIONS_WORKER_RUNTIME: 'node' },
        cwd: rootDir,
        marker: 'CONFORMANCE-BRIDGE',
        timeoutMs: 30_000,
        echo: opts.echo,
      },
    );
    children.push(bridge.child);
    const bridgeUrl = `http://127.0.0.1:${bridge.value}/`;
    const host = await startChild('dotnet', [hostDll(rootDir)], {
      env: {
        ...process.env,
        ...clock.env,
        AzureWebJobsStorage: azurite.connectionString,
        FUNCTIONS_WORKER_RUNTIME: 'node',
        CONFORMANCE_HUB: hub,
        CONFORMANCE_BRIDGE_URL: bridgeUrl,
        DOTNET_CLI_TELEMETRY_OPTOUT: '1',
      },
      cwd: path.dirname(hostDll(rootDir)),
      marker: 'CONFORMANCE-CLIENT',
      timeoutMs: 120_000,
      echo: opts.echo,
    });
    children.unshift(host.child);
    const client = JSON.parse(host.value) as ClientData;
    const api = async (method: string, relative: string): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(new URL(relative, client.rpcBaseUrl), { method });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? (JSON.parse(text) as unknown) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body };
    };
    return {
      hub,
      azurite,
      client,
      reset: async (env, now) => {
        await clock.set(now);
        await confirmHostClock(client.rpcBaseUrl, now);
        await post(`${bridgeUrl}reset/`, JSON.stringify({ env, now }));
      },
      invoke: async (name, input) =>
        JSON.parse(
          await post(`${bridgeUrl}invoke/${name}`, JSON.stringify({ input, durableClient: client })),
        ) as unknown,
      http: async (name, req) =>
        JSON.parse(
          await post(`${bridgeUrl}invoke/${name}`, JSON.stringify({ http: req, durableClient: client })),
        ) as { status: number; body: string },
      api,
      history: async (instanceId) => {
        const rows = await azurite.queryTable(
          `${hub}History`,
          `PartitionKey eq '${instanceId.replace(/'/g, "''")}'`,
        );
        return rows
          .filter((r) => typeof r.EventType === 'string')
          .sort((a, b) => String(a.RowKey).localeCompare(String(b.RowKey)));
      },
      stop: async () => {
        for (const c of children) await c.stop();
        await azurite.stop();
        clock.remove();
      },
    };
  } catch (err) {
    for (const c of children) await c.stop();
    await azurite.stop();
    clock.remove();
    throw err;
  }
}
