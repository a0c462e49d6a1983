/**
 * Runs the real app (its registered functions, unchanged) in the embedded runtime against the
 * local ODRE stand-in and a local lake in a temp folder. Durable timers run on a virtual clock,
 * so retry backoffs cost no real time.
 */
import { FAKE_DATE_ONLY } from '../setup/epoch';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HttpRequest } from '@azure/functions';
import { VirtualClock } from '../../tools/runtime/clock';
import type { InstanceRecord } from '../../tools/runtime/durable/types';
import { startHost, type HostOptions, type RunningHost } from '../../tools/runtime/host';
import { memoryLogger } from '../../tools/runtime/logger';
import { resetConfig } from '../../shared/config';
import { FN } from '../../shared/constants';
import { startFakeOdre, type FakeOdre, type FakeOdreOptions } from '../../tools/standins/odre/server';
import { scheduledInstanceId } from '../../shared/starters';

export const ROOT = path.resolve(__dirname, '../..');
export const APP_ENTRIES = ['triggers/*.ts', 'orchestrators/*.ts', 'activities/*.ts', 'entities/*.ts'];

/**
 * For `jest.useFakeTimers`: fake `Date` only (the app derives schedule slots and budgets from
 * `Date.now()`), keep every real timer, so the runtime, HTTP and the stand-in run as usual.
 * `Date` then stays frozen at `now` until `jest.setSystemTime` moves it.
 */
export { FAKE_DATE_ONLY };

/** The log lines a function wrote with `context.log`. */
export function functionLogs(h: Pick<Harness, 'logs'>, functionName: string): string[] {
  return h.logs.lines.filter((l) => l.category === `Function.${functionName}`).map((l) => l.message);
}

export interface Harness {
  host: RunningHost;
  odre: FakeOdre;
  lakeDir: string;
  durableDir: string;
  logs: ReturnType<typeof memoryLogger>;
  /** POST /api/ingestion/runs through the real HTTP trigger; returns status and JSON body. */
  startRun(body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Fires the timer starter as the timer host would (isPastDue false unless given). */
  fireTimer(isPastDue?: boolean): Promise<void>;
  /** GET an app route (path after the origin, e.g. `/api/ingestion/state`) with the function key. */
  get(pathAndQuery: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The state entity of one dataset, as the engine holds it. */
  state(dataset: string): Record<string, unknown> | undefined;
  /** Waits for an instance to finish and for its entity signals to land. */
  wait(instanceId: string): Promise<InstanceRecord>;
  /** Lake files (relative to the bronze filesystem), metadata sidecars excluded. */
  files(prefix?: string): string[];
  read(lakePath: string): Buffer;
  /** The metadata sidecar of a lake file (`.name.meta.json` beside it). */
  sidecar(lakePath: string): { contentType: string; metadata: Record<string, string> };
  /** Every file under the lake root (relative to it), dot-files included. */
  allLakeFiles(): string[];
  stop(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  odre?: FakeOdreOptions;
  host?: Partial<HostOptions>;
  /** Reuse these folders (e.g. to resume a task hub another process left behind). */
  lakeDir?: string;
  durableDir?: string;
  /** Reuse a running stand-in; it is then left open by stop(). */
  odreInstance?: FakeOdre;
  /** Where the engine's virtual clock starts: a test that passes its own `now` to the app passes it here too. */
  now?: number;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-e2e-'));
  const lakeDir = opts.lakeDir ?? path.join(base, 'data');
  const durableDir = opts.durableDir ?? path.join(base, '.durable');
  const odre = opts.odreInstance ?? (await startFakeOdre(opts.odre));
  const env: Record<string, string> = {
    RTE_API_BASE_URL: odre.url,
    LOCAL_LAKE_DIR: lakeDir,
    RTE_REQUEST_TIMEOUT_MS: '2000',
    ...opts.env,
  };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  resetConfig();
  const logs = memoryLogger();
  const restoreEnv = (): void => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfig();
  };
  const host = await startHost({
    rootDir: ROOT,
    entryFiles: APP_ENTRIES,
    durableDir,
    clock: new VirtualClock(new Date(opts.now ?? Date.now())),
    port: 0,
    timers: false,
    loadSettings: false,
    banner: false,
    logger: logs,
    functionKeys: ['e2e-key'],
    ...opts.host,
  }).catch(async (err: unknown) => {
    if (!opts.odreInstance) await odre.close();
    restoreEnv();
    throw err;
  });
  const wait = async (instanceId: string): Promise<InstanceRecord> => {
    const rec = await host.engine.waitForCompletion(instanceId);
    await host.engine.waitForIdle();
    return rec;
  };
  const walk = (dir: string, rel: string, out: string[], dotFiles = false): void => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') && !dotFiles) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r, out, dotFiles);
      else out.push(r);
    }
  };
  return {
    host,
    odre,
    lakeDir,
    durableDir,
    logs,
    async startRun(body?: unknown) {
      const res = await fetch(`${host.httpUrl}/api/ingestion/runs`, {
        method: 'POST',
        headers: { 'x-functions-key': 'e2e-key', 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async fireTimer(isPastDue = false) {
      await host.invoke(FN.timerStarter, {
        isPastDue,
        schedule: { adjustForDST: false },
        scheduleStatus: null,
      });
    },
    async get(pathAndQuery: string) {
      const res = await fetch(`${host.httpUrl}${pathAndQuery}`, {
        headers: { 'x-functions-key': 'e2e-key' },
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    state(dataset: string) {
      const ent = host.engine.readEntity(FN.stateEntity, dataset);
      return ent.exists ? (ent.state as Record<string, unknown>) : undefined;
    },
    wait,
    files(prefix = '') {
      const out: string[] = [];
      walk(path.join(lakeDir, 'bronze', prefix), prefix.replace(/\/$/, ''), out);
      return out.sort();
    },
    read(lakePath: string) {
      return fs.readFileSync(path.join(lakeDir, 'bronze', lakePath));
    },
    sidecar(lakePath: string) {
      const full = path.join(lakeDir, 'bronze', lakePath);
      const side = path.join(path.dirname(full), `.${path.basename(full)}.meta.json`);
      return JSON.parse(fs.readFileSync(side, 'utf8')) as {
        contentType: string;
        metadata: Record<string, string>;
      };
    },
    allLakeFiles() {
      const out: string[] = [];
      walk(lakeDir, '', out, true);
      return out.sort();
    },
    async stop() {
      await host.stop();
      if (!opts.odreInstance) await odre.close();
      restoreEnv();
    },
  };
}

export { HttpRequest };

/**
 * Runs the scheduled run of `slot` as the timer would one minute past it: moves `Date` (faked with
 * FAKE_DATE_ONLY) and the engine's virtual clock there, fires the timer starter, waits for the run.
 */
export async function runScheduledSlot(h: Harness, slot: number): Promise<InstanceRecord> {
  jest.setSystemTime(slot + 60_000);
  (h.host.clock as VirtualClock).advanceTo(new Date(slot + 60_000));
  await h.fireTimer();
  return h.wait(scheduledInstanceId(slot));
}
