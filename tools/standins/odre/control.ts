/**
 * The control plane, over HTTP under /__control/ (for `npm run fake-api` and other processes):
 * faults, the request log, the clock, latency, quota, gaps, and the portal's quirks (feed lag,
 * stalls, release start, clock-change rows, export order).
 */
import type * as http from 'node:http';
import { errorMessage } from '../../../shared/errors';
import type { GapSpec, StallSpec } from './availability';
import { parseFaultRule } from './faults';
import { JSON_TYPE } from './plan';
import { CONTROL_PREFIX } from './routes';
import type { FakeOdre, Quirks } from './types';

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text === '' ? null : (JSON.parse(text) as unknown);
}

const QUIRK_NAMES: ReadonlyArray<keyof Quirks> = ['springGhostRows', 'autumnHole', 'unorderedExports'];

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

type Handler = (api: FakeOdre, method: string, body: unknown) => unknown;

const HANDLERS: Record<string, Handler> = {
  faults: (api, method, body) => {
    if (method === 'DELETE' || (body && typeof body === 'object' && 'clear' in body)) api.clearFaults();
    else if (method === 'POST') api.addFault((Array.isArray(body) ? body : [body]).map(parseFaultRule));
    else if (method !== 'GET') throw new Error('GET, POST or DELETE');
    return { faults: api.faults() };
  },
  requests: (api, method) => {
    if (method === 'DELETE') api.resetLog();
    return { requests: api.requests(), peakConcurrency: api.peakConcurrency(), inFlight: api.inFlight() };
  },
  now: (api, method, body) => {
    if (method === 'POST') {
      const at = field(body, 'now');
      if (at !== null && typeof at !== 'string' && typeof at !== 'number')
        throw new Error('now must be an instant or null');
      api.setNow(at);
    }
    return { now: api.now().toISOString() };
  },
  latency: (api, _method, body) => {
    const ms = field(body, 'ms');
    if (typeof ms !== 'number' || ms < 0) throw new Error('ms must be a non-negative number');
    api.setLatency(ms);
    return { latencyMs: ms };
  },
  quota: (api, method, body) => {
    if (method === 'DELETE') api.resetQuota();
    const limit = field(body, 'dailyLimit');
    if (typeof limit === 'number') api.setDailyLimit(limit);
    return api.quota();
  },
  gaps: (api, _method, body) => {
    if (!Array.isArray(body)) throw new Error('gaps must be an array');
    api.setGaps(body as GapSpec[]);
    return { gaps: body as unknown };
  },
  stalls: (api, _method, body) => {
    if (!Array.isArray(body)) throw new Error('stalls must be an array of {from, to, dataset?}');
    api.setStalls(body as StallSpec[]);
    return { stalls: body as unknown };
  },
  lag: (api, _method, body) => {
    const ms = field(body, 'ms');
    if (typeof ms !== 'number' || ms < 0) throw new Error('ms must be a non-negative number');
    api.setLag(ms);
    return { lagMs: ms };
  },
  release: (api, _method, body) => {
    const at = field(body, 'releaseStart');
    if (at !== null && typeof at !== 'string' && typeof at !== 'number')
      throw new Error('releaseStart must be an instant or null');
    api.setReleaseStart(at);
    return { releaseStart: at };
  },
  quirks: (api, method, body) => {
    if (method === 'POST') {
      const set: Partial<Quirks> = {};
      for (const name of QUIRK_NAMES) {
        const v = field(body, name);
        if (v === undefined) continue;
        if (typeof v !== 'boolean') throw new Error(`${name} must be true or false`);
        set[name] = v;
      }
      api.setQuirks(set);
    }
    return api.quirks();
  },
};

const READABLE = new Set(['faults', 'requests', 'quota', 'quirks', 'now']);

export async function control(
  api: FakeOdre,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const reply = (status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
  };
  const what = url.pathname.slice(CONTROL_PREFIX.length);
  const method = req.method ?? 'GET';
  const handler = HANDLERS[what];
  if (
    !handler ||
    (method === 'GET' && !READABLE.has(what)) ||
    !['GET', 'POST', 'PUT', 'DELETE'].includes(method)
  ) {
    return reply(404, { error: `unknown control ${method} ${url.pathname}` });
  }
  try {
    const body = method === 'POST' || method === 'PUT' ? await readJson(req) : null;
    return reply(200, handler(api, method, body));
  } catch (e) {
    return reply(400, { error: errorMessage(e) });
  }
}
