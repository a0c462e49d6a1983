/**
 * A local stand-in for the ODRE portal (Opendatasoft Explore API v2.1): the datasets of the
 * registry, the records and exports endpoints with the portal's caps, error bodies and quirks,
 * quotas, optional authentication, an OAuth2 token endpoint, and fault injection for tests,
 * benchmarks and offline demos. Its notion of "now" comes from the `now` option (a clock for
 * virtual time), never from Date.now() directly; latency and the request log use real time.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../../shared/errors';
import { isSecretParam } from '../../../shared/secretParams';
import { closeServer } from '../../net/server';
import { apiPlan, type ApiContext } from './api';
import { control } from './control';
import { bodyFaultPlan, statusFaultPlan } from './faultPlans';
import { FaultBook } from './faults';
import { DEFAULT_OAUTH, TokenIssuer } from './oauth';
import { JSON_TYPE, jsonPlan } from './plan';
import { Quota } from './quota';
import { CONTROL_PREFIX, route } from './routes';
import { send } from './send';
import { checkStall, dataOptionsOf, settingsFrom } from './state';
import { toMs } from './time';
import type { FakeOdre, FakeOdreOptions, RequestLogEntry } from './types';

export { FAULT_NAMES, parseFaultRule } from './faults';
export type { GapSpec, StallSpec } from './availability';
export type * from './types';

function clockOf(n: FakeOdreOptions['now']): () => number {
  if (n === undefined) return () => Date.now();
  if (typeof n === 'function') return () => toMs(n());
  const fixed = toMs(n);
  return () => fixed;
}

export async function startFakeOdre(options: FakeOdreOptions = {}): Promise<FakeOdre> {
  const baseClock = clockOf(options.now);
  let frozen: number | null = null;
  const clock = (): number => frozen ?? baseClock();
  const settings = settingsFrom(options);
  const quota = new Quota(
    clock,
    options.dailyLimit ?? 10_000,
    options.monthlyLimit ?? null,
    options.quotaBody ?? 'domain',
  );
  const faults = new FaultBook(clock);
  faults.add(options.faults ?? []);
  const tokens = new TokenIssuer(options.oauth ?? DEFAULT_OAUTH, clock);
  const ctx: ApiContext = {
    requireAuth: options.requireAuth,
    tokenValid: (t) => tokens.valid(t),
    quota,
    dataOptions: () => dataOptionsOf(settings, clock()),
    unorderedExports: () => settings.quirks.unorderedExports,
  };

  let log: RequestLogEntry[] = [];
  let seq = 0;
  let inFlight = 0;
  let peak = 0;
  const timers = new Set<NodeJS.Timeout>();
  const openResponses = new Set<Promise<void>>();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname.startsWith(CONTROL_PREFIX)) return control(api, req, res, url);
    const r = route(url.pathname);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = isSecretParam(k) ? 'REDACTED' : v;
    const entry: RequestLogEntry = {
      seq: ++seq,
      method: req.method ?? 'GET',
      path: url.pathname,
      dataset: r.dataset,
      endpoint: r.endpoint,
      query,
      hasAuthorization: req.headers.authorization !== undefined,
      status: null,
      fault: null,
      bytes: 0,
      sha256: null,
      startedAt: Date.now(),
      endedAt: null,
    };
    log.push(entry);
    inFlight++;
    peak = Math.max(peak, inFlight);
    let hung = false;
    const closed = new Promise<void>((resolve) => {
      res.on('close', () => {
        inFlight--;
        entry.endedAt = Date.now();
        if (entry.status === null) entry.status = hung ? 'timeout' : 'dropped';
        openResponses.delete(closed);
        resolve();
      });
    });
    openResponses.add(closed);

    const due = Date.now() + settings.latencyMs;
    const untilDue = async (): Promise<void> => {
      const left = due - Date.now();
      if (left > 0) await sleep(left);
    };

    const fault = faults.take(r.endpoint, r.dataset);
    if (fault) {
      await untilDue();
      if (res.destroyed) return;
      entry.fault = String(fault.kind);
      const kind = fault.kind;
      if (kind === 'timeout') {
        hung = true;
        return;
      }
      if (kind === 'drop') {
        entry.status = 'dropped';
        req.socket.destroy();
        return;
      }
      const anonymous = req.headers.authorization === undefined;
      if (typeof kind === 'number') return send(res, entry, statusFaultPlan(kind, fault, quota, anonymous));
      if (kind !== 'truncate')
        return send(res, entry, bodyFaultPlan(kind, r.endpoint, r.format, quota.headers()));
      if (r.endpoint === 'token') return send(res, entry, await tokens.answer(req));
      return send(res, entry, apiPlan(ctx, req, url, r), true);
    }
    if (r.endpoint === 'token') {
      await untilDue();
      return send(res, entry, await tokens.answer(req));
    }
    if (r.endpoint === 'other') {
      const plan = jsonPlan(404, { message: `No route for ${url.pathname}`, error_code: 'NotFound' });
      return send(res, entry, plan, false, untilDue);
    }
    return send(res, entry, apiPlan(ctx, req, url, r), false, untilDue);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': JSON_TYPE });
        res.end(
          JSON.stringify({
            message: errorMessage(e),
            error_code: 'InternalServerError',
          }),
        );
      } else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;

  const api: FakeOdre = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([closeServer(server), ...openResponses]);
    },
    now: () => new Date(clock()),
    setNow: (at) => {
      frozen = at === null ? null : toMs(at);
    },
    advance: (ms) => {
      frozen = clock() + ms;
    },
    setLatency: (ms) => {
      settings.latencyMs = ms;
    },
    setDailyLimit: (limit) => {
      quota.dailyLimit = limit;
    },
    quota: () => quota.snapshot(),
    resetQuota: () => quota.reset(),
    setGaps: (list) => {
      for (const g of list) toMs(g.from);
      settings.gaps = [...list];
    },
    setLag: (ms) => {
      settings.lagMs = ms;
    },
    setStalls: (list) => {
      list.forEach(checkStall);
      settings.stalls = [...list];
    },
    setReleaseStart: (at) => {
      settings.releaseStart = at === null ? undefined : toMs(at);
    },
    setQuirks: (q) => {
      settings.quirks = { ...settings.quirks, ...q };
    },
    quirks: () => ({ ...settings.quirks }),
    addFault: (rule) => faults.add(Array.isArray(rule) ? rule : [rule]),
    failNext: (n, kind = 503) => faults.add([{ kind, times: n }]),
    failUntilCleared: (kind = 503) => faults.add([{ kind, times: 'forever' }]),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    requests: () => log.map((e) => ({ ...e, query: { ...e.query } })),
    peakConcurrency: () => peak,
    inFlight: () => inFlight,
    resetLog: () => {
      log = [];
      peak = inFlight;
    },
  };
  return api;
}
