/**
 * A local stand-in for the ODRE portal (Opendatasoft Explore API v2.1): the two eCO2mix
 * datasets, the records and exports endpoints with the portal's caps and error bodies, daily
 * quotas, optional authentication, an OAuth2 token endpoint, and fault injection for tests,
 * benchmarks and offline demos.
 */
import { createHash, randomBytes, timingSafeEqual, type Hash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatasetId } from '../../../shared/constants';
import {
  assertTimeZone,
  IDENTITY_FIELDS,
  isDataset,
  RowFactory,
  slots,
  toMs,
  type DataOptions,
  type GapSpec,
  type Row,
} from './data';
import { OdsqlError, parseOrderBy, parseSelect, parseWhere, type WhereFilter } from './odsql';

export type FaultKind = number | 'timeout' | 'drop' | 'truncate' | 'malformed' | 'html' | 'empty';
export const FAULT_NAMES = ['timeout', 'drop', 'truncate', 'malformed', 'html', 'empty'] as const;

export interface FaultRule {
  /** An HTTP status (429 sends the quota body) or a transport/body fault. */
  kind: FaultKind;
  /** Only requests for this dataset; all datasets when omitted. */
  dataset?: string;
  /** Only this endpoint; records and exports when omitted (the token endpoint only when named). */
  endpoint?: 'records' | 'exports' | 'token';
  /** How many matching requests fail; 1 when omitted (unless `until` is set), or 'forever'. */
  times?: number | 'forever';
  /** Fail matching requests while the server clock is before this instant. */
  until?: string;
  /** Adds a Retry-After header to a status fault: seconds, or an HTTP-date string. */
  retryAfter?: number | string;
}

export type Endpoint = 'records' | 'exports' | 'token' | 'other';

export interface RequestLogEntry {
  seq: number;
  method: string;
  path: string;
  dataset: string | null;
  endpoint: Endpoint;
  /** Query parameters; credential-like values are replaced by REDACTED. */
  query: Record<string, string>;
  hasAuthorization: boolean;
  /** Null while in flight. */
  status: number | 'dropped' | 'timeout' | null;
  fault: string | null;
  /** Body bytes sent, and their SHA-256 (hex) once the response completed. */
  bytes: number;
  sha256: string | null;
  startedAt: number;
  endedAt: number | null;
}

export interface FakeOdreOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  host?: string;
  /** Fixed server time, or a clock. Defaults to the real clock. */
  now?: Date | string | number | (() => Date | number);
  latencyMs?: number;
  /** Calls a UTC day before 429. Default 10000. */
  dailyLimit?: number;
  requireAuth?: { apiKey?: string; bearerToken?: string; acceptIssuedTokens?: boolean };
  oauth?: { clientId: string; clientSecret: string; expiresInSeconds?: number };
  gaps?: GapSpec[];
  faults?: FaultRule[];
  dataStart?: string | number | Date;
  publishDelayMs?: number;
}

export interface FakeOdre {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  now(): Date;
  /** Freezes the clock at this instant; null returns to the configured/real clock. */
  setNow(at: Date | string | number | null): void;
  /** Moves a frozen clock forward (freezing it first at the current time if needed). */
  advance(ms: number): void;
  setLatency(ms: number): void;
  setDailyLimit(limit: number): void;
  quota(): { limit: number; used: number; remaining: number; day: string };
  resetQuota(): void;
  setGaps(gaps: GapSpec[]): void;
  addFault(rule: FaultRule | FaultRule[]): void;
  /** The next `n` API requests fail with `kind` (default 503). */
  failNext(n: number, kind?: FaultKind): void;
  /** Every API request fails with `kind` (default 503) until clearFaults(). */
  failUntilCleared(kind?: FaultKind): void;
  clearFaults(): void;
  faults(): FaultRule[];
  requests(): RequestLogEntry[];
  peakConcurrency(): number;
  inFlight(): number;
  resetLog(): void;
}

const API_PREFIX = '/api/explore/v2.1/catalog/datasets/';
const DEFAULT_DAILY_LIMIT = 10_000;
const DEFAULT_OAUTH: NonNullable<FakeOdreOptions['oauth']> = {
  clientId: 'watt-watcher-local',
  clientSecret: 'local-only-client-credential',
};
const REDACT_QUERY = /^(apikey|api_key|key|token|access_token|client_secret|password)$/i;

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  until: number | null;
}

interface Route {
  endpoint: Endpoint;
  dataset: string | null;
  format: string | null;
}

/** How much of an export is generated ahead, during the latency (bounded: exports can be huge). */
const PREBUFFER_BYTES = 8 * 1024 * 1024;

interface Plan {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Streamed body pieces (exports). */
  pieces?: Iterable<string>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

function restError(message: string): HttpProblem {
  return new HttpProblem(400, { error_code: 'InvalidRESTParameterError', message });
}

function route(pathname: string): Route {
  if (pathname === '/token/oauth/' || pathname === '/token/oauth') {
    return { endpoint: 'token', dataset: null, format: null };
  }
  if (pathname.startsWith(API_PREFIX)) {
    const parts = pathname.slice(API_PREFIX.length).split('/');
    const dataset = decodeURIComponent(parts[0] ?? '');
    if (parts.length === 2 && parts[1] === 'records' && dataset)
      return { endpoint: 'records', dataset, format: null };
    if (parts.length === 3 && parts[1] === 'exports' && dataset && parts[2]) {
      return { endpoint: 'exports', dataset, format: parts[2] };
    }
  }
  return { endpoint: 'other', dataset: null, format: null };
}

function nextUtcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isFaultKind(k: unknown): k is FaultKind {
  return (
    (typeof k === 'number' && Number.isInteger(k) && k >= 100 && k <= 599) ||
    (typeof k === 'string' && (FAULT_NAMES as readonly string[]).includes(k))
  );
}

/** Validates a rule from JSON; throws with a readable message. */
export function parseFaultRule(raw: unknown): FaultRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('a fault rule must be an object');
  const r = raw as Record<string, unknown>;
  const kind = typeof r.kind === 'string' && /^\d{3}$/.test(r.kind) ? Number(r.kind) : r.kind;
  if (!isFaultKind(kind)) {
    throw new Error(
      `kind must be an HTTP status or one of ${FAULT_NAMES.join(', ')}, got ${JSON.stringify(r.kind)}`,
    );
  }
  const rule: FaultRule = { kind };
  if (r.dataset !== undefined) {
    if (typeof r.dataset !== 'string') throw new Error('dataset must be a string');
    rule.dataset = r.dataset;
  }
  if (r.endpoint !== undefined) {
    if (r.endpoint !== 'records' && r.endpoint !== 'exports' && r.endpoint !== 'token') {
      throw new Error('endpoint must be records, exports or token');
    }
    rule.endpoint = r.endpoint;
  }
  if (r.times !== undefined) {
    if (r.times !== 'forever' && !(typeof r.times === 'number' && Number.isInteger(r.times) && r.times > 0)) {
      throw new Error('times must be a positive whole number or "forever"');
    }
    rule.times = r.times;
  }
  if (r.until !== undefined) {
    if (typeof r.until !== 'string' || !Number.isFinite(Date.parse(r.until))) {
      throw new Error('until must be an ISO-8601 instant');
    }
    rule.until = r.until;
  }
  if (r.retryAfter !== undefined) {
    if (typeof r.retryAfter !== 'number' && typeof r.retryAfter !== 'string') {
      throw new Error('retryAfter must be seconds or an HTTP-date');
    }
    rule.retryAfter = r.retryAfter;
  }
  return rule;
}

function nginxPage(status: number, title: string): string {
  return (
    `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

const MAINTENANCE_PAGE =
  '<!DOCTYPE html>\n<html lang="fr">\n<head><meta charset="utf-8"><title>Maintenance en cours</title></head>\n' +
  '<body><h1>Le portail est en maintenance</h1><p>Nous serons de retour très bientôt. ' +
  'The portal is under maintenance, please come back later.</p></body>\n</html>\n';

function quotaBody(resetMs: number, limit: number): string {
  return JSON.stringify({
    errorcode: 10002,
    reset_time: new Date(resetMs).toISOString().replace('.000Z', 'Z'),
    limit_time_unit: 'day',
    call_limit: limit,
    error: 'Too many requests on the domain. Please contact the domain administrator.',
  });
}

export async function startFakeOdre(options: FakeOdreOptions = {}): Promise<FakeOdre> {
  const baseClock = ((): (() => number) => {
    const n = options.now;
    if (n === undefined) return () => Date.now();
    if (typeof n === 'function') return () => toMs(n());
    const fixed = toMs(n);
    return () => fixed;
  })();
  let frozen: number | null = null;
  const clock = (): number => frozen ?? baseClock();

  let latencyMs = options.latencyMs ?? 0;
  let dailyLimit = options.dailyLimit ?? DEFAULT_DAILY_LIMIT;
  let quotaDay = '';
  let quotaUsed = 0;
  let gaps: GapSpec[] = [...(options.gaps ?? [])];
  let rules: ActiveRule[] = [];
  const dataStart = options.dataStart === undefined ? undefined : toMs(options.dataStart);
  const oauth = options.oauth ?? DEFAULT_OAUTH;
  const issuedTokens = new Map<string, number>();

  let log: RequestLogEntry[] = [];
  let seq = 0;
  let inFlight = 0;
  let peak = 0;
  const timers = new Set<NodeJS.Timeout>();
  const openResponses = new Set<Promise<void>>();

  const rollQuotaDay = (): void => {
    const day = new Date(clock()).toISOString().slice(0, 10);
    if (day !== quotaDay) {
      quotaDay = day;
      quotaUsed = 0;
    }
  };

  const addRules = (list: FaultRule[]): void => {
    for (const rule of list) {
      const until = rule.until === undefined ? null : Date.parse(rule.until);
      const remaining = rule.times === 'forever' ? Infinity : (rule.times ?? (until === null ? 1 : Infinity));
      rules.push({ rule: { ...rule }, remaining, until });
    }
  };
  addRules(options.faults ?? []);

  const takeFault = (r: Route): FaultRule | null => {
    const now = clock();
    rules = rules.filter((a) => a.remaining > 0 && (a.until === null || now < a.until));
    const hit = rules.find(
      (a) =>
        (a.rule.endpoint === undefined
          ? r.endpoint === 'records' || r.endpoint === 'exports'
          : a.rule.endpoint === r.endpoint) &&
        (a.rule.dataset === undefined || a.rule.dataset === r.dataset),
    );
    if (!hit) return null;
    hit.remaining--;
    return hit.rule;
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const rateHeaders = (): Record<string, string> => {
    rollQuotaDay();
    return {
      'X-RateLimit-Limit': String(dailyLimit),
      'X-RateLimit-Remaining': String(Math.max(0, dailyLimit - quotaUsed)),
      'X-RateLimit-Reset': String(Math.floor(nextUtcMidnight(clock()) / 1000)),
    };
  };

  const dataOptions = (): DataOptions => ({
    now: clock(),
    gaps,
    ...(dataStart === undefined ? {} : { dataStart }),
    ...(options.publishDelayMs === undefined ? {} : { publishDelayMs: options.publishDelayMs }),
  });

  const authorised = (req: http.IncomingMessage, url: URL): boolean => {
    const need = options.requireAuth;
    if (!need) return true;
    const header = req.headers.authorization ?? '';
    const m = /^(\S+)\s+(.+)$/.exec(header.trim());
    const scheme = m?.[1]?.toLowerCase();
    const value = m?.[2] ?? '';
    if (scheme === 'apikey' && need.apiKey !== undefined && safeEqual(value, need.apiKey)) return true;
    if (scheme === 'bearer') {
      if (need.bearerToken !== undefined && safeEqual(value, need.bearerToken)) return true;
      const exp = issuedTokens.get(value);
      if (need.acceptIssuedTokens !== false && exp !== undefined && clock() < exp) return true;
    }
    const qp = url.searchParams.get('apikey');
    return need.apiKey !== undefined && qp !== null && safeEqual(qp, need.apiKey);
  };

  const jsonPlan = (status: number, body: unknown, extra: Record<string, string> = {}): Plan => ({
    status,
    headers: { 'Content-Type': JSON_TYPE, ...extra },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  const rowMatches = (
    factory: RowFactory,
    filter: WhereFilter,
    slot: { t: number; region: number },
  ): boolean => {
    if (filter.equals.length === 0) return true;
    const cheap = filter.equals.every((e) => IDENTITY_FIELDS.has(e.field));
    const row = cheap ? factory.identity(slot) : factory.row(slot);
    return filter.equals.every((e) => {
      const v = row[e.field];
      return v !== null && v !== undefined && String(v) === e.value;
    });
  };

  const project = (row: Row, select: string[] | null): Row => {
    if (!select) return row;
    const out: Row = {};
    for (const f of select) out[f] = row[f] ?? null;
    return out;
  };

  const parseCommon = (
    dataset: DatasetId,
    q: URLSearchParams,
  ): { filter: WhereFilter; order: 'asc' | 'desc'; select: string[] | null; timeZone: string } => {
    const timeZone = q.get('timezone') ?? 'UTC';
    try {
      assertTimeZone(timeZone);
    } catch {
      throw restError(`Invalid value for timezone API parameter: ${timeZone} is not a valid time zone.`);
    }
    try {
      return {
        filter: parseWhere(q.get('where') ?? undefined, dataset),
        order: parseOrderBy(q.get('order_by') ?? undefined),
        select: parseSelect(q.get('select') ?? undefined, dataset),
        timeZone,
      };
    } catch (e) {
      if (e instanceof OdsqlError)
        throw new HttpProblem(400, { message: e.message, error_code: 'ODSQLError' });
      throw e;
    }
  };

  const intParam = (q: URLSearchParams, name: string): number | null => {
    const raw = q.get(name);
    if (raw === null) return null;
    if (!/^-?\d+$/.test(raw.trim())) {
      throw restError(`Invalid value for ${name} API parameter: ${raw} is not a valid integer.`);
    }
    return Number(raw.trim());
  };

  function* matching(
    dataset: DatasetId,
    filter: WhereFilter,
    order: 'asc' | 'desc',
    timeZone: string,
  ): Generator<{ t: number; region: number }> {
    const opts = dataOptions();
    const factory = new RowFactory(dataset, opts, timeZone);
    for (const slot of slots(dataset, filter.from, filter.to, opts, order)) {
      if (rowMatches(factory, filter, slot)) yield slot;
    }
  }

  const recordsPlan = (dataset: DatasetId, q: URLSearchParams): Plan => {
    const limitRaw = q.get('limit');
    const limit = intParam(q, 'limit') ?? 10;
    if (limit < -1 || limit > 100) {
      throw restError(
        `Invalid value for limit API parameter: ${limitRaw} was found but -1 <= limit <= 100 is expected.`,
      );
    }
    const offset = intParam(q, 'offset') ?? 0;
    if (offset < 0)
      throw restError(
        `Invalid value for offset API parameter: ${offset} was found but offset >= 0 is expected.`,
      );
    const size = limit === -1 ? 100 : limit;
    if (offset + size > 10_000) {
      throw restError(
        `Invalid value for offset API parameter: offset + limit must be lower or equal to 10000, ` +
          `but offset=${offset} and limit=${size} were found.`,
      );
    }
    const { filter, order, select, timeZone } = parseCommon(dataset, q);
    const factory = new RowFactory(dataset, dataOptions(), timeZone);
    let total = 0;
    const results: Row[] = [];
    for (const slot of matching(dataset, filter, order, timeZone)) {
      if (total >= offset && results.length < size) results.push(project(factory.row(slot), select));
      total++;
    }
    return jsonPlan(200, { total_count: total, results });
  };

  const exportPlan = (dataset: DatasetId, format: string, q: URLSearchParams): Plan => {
    if (format !== 'json' && format !== 'jsonl') {
      throw restError(`Invalid value for format: "${format}" is not served by this stand-in (json, jsonl).`);
    }
    const limit = intParam(q, 'limit') ?? -1;
    if (limit < -1)
      throw restError(
        `Invalid value for limit API parameter: ${limit} was found but limit >= -1 is expected.`,
      );
    const { filter, order, select, timeZone } = parseCommon(dataset, q);
    const source = matching(dataset, filter, order, timeZone);
    const factory = new RowFactory(dataset, dataOptions(), timeZone);
    function* pieces(): Generator<string> {
      let n = 0;
      if (format === 'json') yield '[';
      for (const slot of source) {
        if (limit !== -1 && n >= limit) break;
        const text = JSON.stringify(project(factory.row(slot), select));
        yield format === 'json' ? (n === 0 ? text : `,${text}`) : `${text}\n`;
        n++;
      }
      if (format === 'json') yield ']';
    }
    return {
      status: 200,
      headers: {
        'Content-Type': format === 'json' ? JSON_TYPE : 'application/jsonl; charset=utf-8',
        'Content-Disposition': `attachment; filename="${dataset}.${format}"`,
      },
      pieces: pieces(),
    };
  };

  /** The normal answer of an API request (auth, quota, dataset, parameters). */
  const apiPlan = (req: http.IncomingMessage, url: URL, r: Route): Plan => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return jsonPlan(405, { message: `Method ${req.method} not allowed`, error_code: 'MethodNotAllowed' });
    }
    if (!authorised(req, url)) {
      return jsonPlan(401, {
        message: 'Authentication failed: the Authorization header is missing or its credentials are invalid.',
        error_code: 'AuthenticationError',
      });
    }
    rollQuotaDay();
    if (quotaUsed >= dailyLimit) {
      return jsonPlan(429, quotaBody(nextUtcMidnight(clock()), dailyLimit), rateHeaders());
    }
    quotaUsed++;
    const rate = rateHeaders();
    const dataset = r.dataset ?? '';
    if (!isDataset(dataset)) {
      return jsonPlan(
        404,
        {
          message: `The dataset "${dataset}" does not exist or is not accessible.`,
          error_code: 'NotFoundError',
        },
        rate,
      );
    }
    try {
      const plan =
        r.endpoint === 'records'
          ? recordsPlan(dataset, url.searchParams)
          : exportPlan(dataset, r.format ?? '', url.searchParams);
      plan.headers = { ...plan.headers, ...rate };
      return plan;
    } catch (e) {
      if (e instanceof HttpProblem) return jsonPlan(e.status, e.body, rate);
      throw e;
    }
  };

  const statusFaultPlan = (status: number, rule: FaultRule): Plan => {
    const extra: Record<string, string> = {};
    if (rule.retryAfter !== undefined) extra['Retry-After'] = String(rule.retryAfter);
    switch (status) {
      case 400:
        return jsonPlan(
          400,
          { message: 'ODSQL query is malformed: injected fault', error_code: 'ODSQLError' },
          extra,
        );
      case 401:
        return jsonPlan(
          401,
          {
            message: 'Authentication failed: the API key is invalid or expired.',
            error_code: 'AuthenticationError',
          },
          extra,
        );
      case 403:
        return jsonPlan(
          403,
          {
            message: 'You do not have the permission to access this resource.',
            error_code: 'PermissionDenied',
          },
          extra,
        );
      case 404:
        return jsonPlan(
          404,
          { message: 'The requested resource was not found.', error_code: 'NotFoundError' },
          extra,
        );
      case 429:
        rollQuotaDay();
        return jsonPlan(429, quotaBody(nextUtcMidnight(clock()), dailyLimit), {
          ...rateHeaders(),
          'X-RateLimit-Remaining': '0',
          ...extra,
        });
      case 500:
        return jsonPlan(
          500,
          { message: 'An unexpected error occurred.', error_code: 'InternalServerError' },
          extra,
        );
      case 502:
        return {
          status,
          headers: { 'Content-Type': HTML_TYPE, ...extra },
          body: nginxPage(502, 'Bad Gateway'),
        };
      case 503:
        return {
          status,
          headers: { 'Content-Type': HTML_TYPE, ...extra },
          body: nginxPage(503, 'Service Temporarily Unavailable'),
        };
      case 504:
        return {
          status,
          headers: { 'Content-Type': HTML_TYPE, ...extra },
          body: nginxPage(504, 'Gateway Time-out'),
        };
      default:
        return jsonPlan(status, { message: `Injected HTTP ${status}`, error_code: 'InjectedFault' }, extra);
    }
  };

  const waitWritable = (res: http.ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });

  const send = async (
    res: http.ServerResponse,
    entry: RequestLogEntry,
    plan: Plan,
    truncate = false,
    untilDue: () => Promise<void> = () => Promise.resolve(),
  ): Promise<void> => {
    const hash: Hash = createHash('sha256');
    // The server's own work happens inside the latency, as on a remote server: the first bytes
    // of an export are generated while the response is "in flight", then sent when it is due.
    const pieces = plan.pieces?.[Symbol.iterator]();
    const early: string[] = [];
    if (pieces && !truncate) {
      let size = 0;
      let sinceYield = 0;
      while (size < PREBUFFER_BYTES) {
        const next = pieces.next();
        if (next.done) break;
        early.push(next.value);
        size += next.value.length;
        sinceYield += next.value.length;
        // let concurrent requests in: they are all in flight together, as on a real server
        if (sinceYield >= 64 * 1024) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    }
    await untilDue();
    if (res.destroyed) return;
    let body: Buffer | null = null;
    if (plan.body !== undefined) body = Buffer.isBuffer(plan.body) ? plan.body : Buffer.from(plan.body);
    else if (truncate && plan.pieces) body = Buffer.from([...plan.pieces].join(''));
    if (body && truncate) body = body.subarray(0, Math.floor(body.length / 2));
    const headers: Record<string, string> = { ...plan.headers };
    if (body && !truncate) headers['Content-Length'] = String(body.length);
    entry.status = plan.status;
    res.writeHead(plan.status, headers);
    if (res.req.method === 'HEAD') {
      res.end();
      entry.sha256 = hash.digest('hex');
      return;
    }
    if (body) {
      hash.update(body);
      entry.bytes = body.length;
      res.end(body);
      entry.sha256 = hash.digest('hex');
      return;
    }
    let buffered = '';
    const flush = async (): Promise<void> => {
      const chunk = Buffer.from(buffered);
      buffered = '';
      hash.update(chunk);
      entry.bytes += chunk.length;
      if (!res.write(chunk)) await waitWritable(res);
    };
    const rest: Iterable<string> = pieces ? { [Symbol.iterator]: () => pieces } : [];
    for (const piece of [...early, ...(truncate ? (plan.pieces ?? []) : rest)]) {
      if (res.destroyed) return;
      buffered += piece;
      if (buffered.length >= 256 * 1024) await flush();
    }
    if (res.destroyed) return;
    if (buffered) await flush();
    res.end();
    entry.sha256 = hash.digest('hex');
  };

  const handleToken = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RequestLogEntry,
  ): Promise<void> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 64 * 1024) break;
      chunks.push(c);
    }
    if (req.method !== 'POST') {
      return send(
        res,
        entry,
        jsonPlan(405, { error: 'invalid_request', error_description: 'POST expected' }),
      );
    }
    const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const id = colon >= 0 ? decoded.slice(0, colon) : '';
    const secret = colon >= 0 ? decoded.slice(colon + 1) : '';
    if (!(safeEqual(id, oauth.clientId) && safeEqual(secret, oauth.clientSecret))) {
      return send(
        res,
        entry,
        jsonPlan(401, { error: 'invalid_client', error_description: 'Client authentication failed' }),
      );
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') {
      return send(
        res,
        entry,
        jsonPlan(400, {
          error: 'unsupported_grant_type',
          error_description: 'grant_type must be client_credentials',
        }),
      );
    }
    const expiresIn = oauth.expiresInSeconds ?? 7200;
    const token = randomBytes(24).toString('base64url');
    issuedTokens.set(token, clock() + expiresIn * 1000);
    return send(
      res,
      entry,
      jsonPlan(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn }),
    );
  };

  const readJson = async (req: http.IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8').trim();
    return text === '' ? null : (JSON.parse(text) as unknown);
  };

  const control = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const reply = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
    };
    try {
      const what = url.pathname.slice('/__control/'.length);
      const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : null;
      if (what === 'faults') {
        if (req.method === 'DELETE' || (body && typeof body === 'object' && 'clear' in body))
          api.clearFaults();
        else if (req.method === 'POST') {
          const list = Array.isArray(body) ? body : [body];
          api.addFault(list.map(parseFaultRule));
        } else if (req.method !== 'GET') return reply(405, { error: 'GET, POST or DELETE' });
        return reply(200, { faults: api.faults() });
      }
      if (what === 'requests') {
        if (req.method === 'DELETE') api.resetLog();
        return reply(200, { requests: api.requests(), peakConcurrency: peak, inFlight });
      }
      if (what === 'now' && req.method === 'POST') {
        const at = (body as { now?: unknown } | null)?.now;
        if (at !== null && typeof at !== 'string' && typeof at !== 'number')
          throw new Error('now must be an instant or null');
        api.setNow(at);
        return reply(200, { now: api.now().toISOString() });
      }
      if (what === 'latency' && req.method === 'POST') {
        const ms = (body as { ms?: unknown } | null)?.ms;
        if (typeof ms !== 'number' || ms < 0) throw new Error('ms must be a non-negative number');
        api.setLatency(ms);
        return reply(200, { latencyMs });
      }
      if (what === 'quota') {
        if (req.method === 'DELETE') api.resetQuota();
        const limit = (body as { dailyLimit?: unknown } | null)?.dailyLimit;
        if (typeof limit === 'number') api.setDailyLimit(limit);
        return reply(200, api.quota());
      }
      if (what === 'gaps' && req.method === 'POST') {
        if (!Array.isArray(body)) throw new Error('gaps must be an array');
        api.setGaps(body as GapSpec[]);
        return reply(200, { gaps });
      }
      return reply(404, { error: `unknown control ${req.method ?? ''} ${url.pathname}` });
    } catch (e) {
      return reply(400, { error: e instanceof Error ? e.message : String(e) });
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname.startsWith('/__control/')) return control(req, res, url);
    const r = route(url.pathname);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = REDACT_QUERY.test(k) ? 'REDACTED' : v;
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

    const due = Date.now() + latencyMs;
    const untilDue = async (): Promise<void> => {
      const left = due - Date.now();
      if (left > 0) await sleep(left);
    };

    const fault = takeFault(r);
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
      if (typeof kind === 'number') return send(res, entry, statusFaultPlan(kind, fault));
      if (kind === 'html') {
        return send(res, entry, {
          status: 200,
          headers: { 'Content-Type': HTML_TYPE },
          body: MAINTENANCE_PAGE,
        });
      }
      if (kind === 'empty') {
        const body =
          r.endpoint === 'records' ? '{"total_count":0,"results":[]}' : r.format === 'jsonl' ? '' : '[]';
        return send(res, entry, {
          status: 200,
          headers: { 'Content-Type': JSON_TYPE, ...rateHeaders() },
          body,
        });
      }
      if (kind === 'malformed') {
        const body = '[{"date_heure":"2026-01-01T00:00:00+00:00","consommation":NaN,}';
        return send(res, entry, {
          status: 200,
          headers: { 'Content-Type': JSON_TYPE, ...rateHeaders() },
          body,
        });
      }
      if (r.endpoint === 'token') return handleToken(req, res, entry);
      return send(res, entry, apiPlan(req, url, r), true);
    }

    if (r.endpoint === 'token') {
      await untilDue();
      return handleToken(req, res, entry);
    }
    if (r.endpoint === 'other') {
      return send(
        res,
        entry,
        jsonPlan(404, { message: `No route for ${url.pathname}`, error_code: 'NotFound' }),
        false,
        untilDue,
      );
    }
    return send(res, entry, apiPlan(req, url, r), false, untilDue);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': JSON_TYPE });
        res.end(
          JSON.stringify({
            message: e instanceof Error ? e.message : String(e),
            error_code: 'InternalServerError',
          }),
        );
      } else res.destroy();
    });
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  const api: FakeOdre = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, ...openResponses]);
    },
    now: () => new Date(clock()),
    setNow: (at) => {
      frozen = at === null ? null : toMs(at);
    },
    advance: (ms) => {
      frozen = clock() + ms;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setDailyLimit: (limit) => {
      dailyLimit = limit;
    },
    quota: () => {
      rollQuotaDay();
      return {
        limit: dailyLimit,
        used: quotaUsed,
        remaining: Math.max(0, dailyLimit - quotaUsed),
        day: quotaDay,
      };
    },
    resetQuota: () => {
      quotaUsed = 0;
    },
    setGaps: (list) => {
      for (const g of list) toMs(g.from);
      gaps = [...list];
    },
    addFault: (rule) => addRules(Array.isArray(rule) ? rule : [rule]),
    failNext: (n, kind = 503) => addRules([{ kind, times: n }]),
    failUntilCleared: (kind = 503) => addRules([{ kind, times: 'forever' }]),
    clearFaults: () => {
      rules = [];
    },
    faults: () =>
      rules
        .filter((a) => a.remaining > 0)
        .map((a) => ({ ...a.rule, ...(a.remaining === Infinity ? {} : { times: a.remaining }) })),
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
