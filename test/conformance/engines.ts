/**
 * The two engines behind one interface for the scenarios: the embedded runtime (the project's
 * e2e harness, virtual clock) and the real Durable Functions extension (tools/conformance).
 * Both are driven the same way: the suite's Date, the app's timer and HTTP functions, the
 * durable HTTP API at rpcBaseUrl; only history is read where each engine keeps it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { VirtualClock } from '../../tools/runtime/clock';
import { EventType } from '../../tools/runtime/durable/types';
import { startFakeOdre, type FakeOdre } from '../../tools/standins/odre/server';
import type { RawEvent } from '../../tools/conformance/compare';
import { startRealEngine, type RealEngine } from '../../tools/conformance/realEngine';
import { FN } from '../../shared/constants';
import { resetConfig } from '../../shared/config';
import { ROOT, startHarness, type Harness } from '../e2e/harness';

export interface Api {
  status: number;
  body: unknown;
}

export interface Engine {
  name: 'embedded' | 'real';
  odre: FakeOdre;
  lakeDir: string;
  /** Moves the suite's Date and the engine's clock to `ms`. */
  setNow(ms: number): Promise<void>;
  /** App settings from now on (the embedded app reads them at once, the bridge at the next setNow). */
  configure(env: Record<string, string>): void;
  fireTimer(): Promise<void>;
  startRun(body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET /api/ingestion/runs through the app's listRuns function. */
  listRuns(): Promise<{ status: number; body: Record<string, unknown> }>;
  api(method: string, relative: string): Promise<Api>;
  /** Waits for the instance to finish and for the state entity of each dataset to record it. */
  wait(instanceId: string, datasets: readonly string[]): Promise<void>;
  history(instanceId: string): Promise<RawEvent[]>;
  /** The engine's own clock, as createdTime reads it (virtual on embedded, the host's shifted clock on real). */
  clockNow(): number;
  stop(): Promise<void>;
}

/** The app's default: a shorter one times out the 700 KB regional exports when the 2 cores are busy. */
const REQUEST_TIMEOUT_MS = '30000';
const TIMER_INPUT = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: null };
const TERMINAL = new Set(['Completed', 'Failed', 'Terminated']);

async function fetchApi(base: string, method: string, relative: string): Promise<Api> {
  const res = await fetch(new URL(relative, base), { method });
  const text = await res.text();
  try {
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  } catch {
    return { status: res.status, body: text };
  }
}

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function embeddedEngine(now: number): Promise<Engine> {
  const h: Harness = await startHarness({ now, env: { RTE_REQUEST_TIMEOUT_MS: REQUEST_TIMEOUT_MS } });
  const saved = new Map<string, string | undefined>();
  return {
    name: 'embedded',
    odre: h.odre,
    lakeDir: h.lakeDir,
    setNow: async (ms) => {
      jest.setSystemTime(ms);
      (h.host.clock as VirtualClock).advanceTo(new Date(ms));
    },
    configure: (env) => {
      for (const [k, v] of Object.entries(env)) {
        if (!saved.has(k)) saved.set(k, process.env[k]);
        process.env[k] = v;
      }
      resetConfig();
    },
    fireTimer: () => h.fireTimer(),
    startRun: (body) => h.startRun(body),
    listRuns: () => h.get('/api/ingestion/runs'),
    api: (method, relative) => fetchApi(h.host.rpcBaseUrl, method, relative),
    wait: async (id) => void (await h.wait(id)),
    history: async (id) =>
      (h.host.engine.getInstance(id)?.history ?? []).map((e) => ({
        type: EventType[e.EventType] ?? String(e.EventType),
        eventId: e.EventId,
        name: e.Name,
        taskScheduledId: e.TaskScheduledId,
        timerId: e.TimerId,
        reason: e.Reason,
      })),
    clockNow: () => h.host.clock.now().getTime(),
    stop: async () => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await h.stop();
    },
  };
}

export async function realEngine(now: number, keepDir?: string): Promise<Engine> {
  const odre = await startFakeOdre();
  const lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-conformance-lake-'));
  let real: RealEngine;
  try {
    real = await startRealEngine(ROOT, { dataDir: keepDir, now, echo: process.env.CONFORMANCE_ECHO === '1' });
  } catch (err) {
    await odre.close();
    throw err;
  }
  const env: Record<string, string> = {
    RTE_API_BASE_URL: odre.url,
    LOCAL_LAKE_DIR: lakeDir,
    RTE_REQUEST_TIMEOUT_MS: REQUEST_TIMEOUT_MS,
  };
  const api = (method: string, relative: string): Promise<Api> => real.api(method, relative);
  return {
    name: 'real',
    odre,
    lakeDir,
    setNow: async (ms) => {
      await real.reset(env, ms);
      jest.setSystemTime(ms);
    },
    configure: (more) => void Object.assign(env, more),
    fireTimer: async () => void (await real.invoke(FN.timerStarter, TIMER_INPUT)),
    startRun: async (body) => {
      const res = await real.http(FN.httpStarter, {
        method: 'POST',
        url: 'http://127.0.0.1:7071/api/ingestion/runs',
        body: JSON.stringify(body),
      });
      return { status: res.status, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
    },
    listRuns: async () => {
      const res = await real.http(FN.listRuns, {
        method: 'GET',
        url: 'http://127.0.0.1:7071/api/ingestion/runs',
      });
      return { status: res.status, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
    },
    api,
    wait: async (id, datasets) => {
      await poll(`${id} to finish`, 120_000, async () => {
        const res = await api('GET', `instances/${encodeURIComponent(id)}`);
        const status = (res.body as { runtimeStatus?: string } | null)?.runtimeStatus;
        return status && TERMINAL.has(status) ? status : undefined;
      });
      // entity signals are delivered through the control queue after the orchestration ends
      for (const d of datasets) {
        await poll(`the state of ${d} to record ${id}`, 60_000, async () => {
          const res = await api('GET', `entities/${FN.stateEntity}/${d}`);
          return (res.body as { lastRunId?: string } | null)?.lastRunId === id ? true : undefined;
        });
      }
    },
    history: async (id) =>
      (await real.history(id)).map((r) => ({
        type: String(r.EventType),
        eventId: Number(r.EventId),
        name: typeof r.Name === 'string' ? r.Name : undefined,
        taskScheduledId: r.TaskScheduledId === undefined ? undefined : Number(r.TaskScheduledId),
        timerId: r.TimerId === undefined ? undefined : Number(r.TimerId),
        reason: typeof r.Reason === 'string' ? r.Reason : undefined,
      })),
    clockNow: () => Date.now(),
    stop: async () => {
      await real.stop();
      await odre.close();
      fs.rmSync(lakeDir, { recursive: true, force: true });
    },
  };
}
