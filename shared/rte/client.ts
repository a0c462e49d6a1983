import { AxiosError, isAxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { DatasetId } from '../constants';
import {
  errorMessage,
  permanentFailure,
  PermanentError,
  redactUrl,
  RetryableError,
  summarizeHttpError,
  truncate,
  type FailureCode,
  type FailureDetails,
} from '../errors';

export interface FetchWindowDeps {
  http: AxiosInstance;
  /** The full Authorization header value (`Apikey …`, `Bearer …`), or null for anonymous calls. */
  getAuthorization: () => Promise<string | null>;
}

export interface FetchWindowRequest {
  dataset: DatasetId;
  /** ISO-8601 instants; the window is [from, to). */
  from: string;
  to: string;
}

export type FetchWindowResult =
  | {
      ok: true;
      /** The body exactly as received. */
      body: Buffer;
      rows: Record<string, unknown>[];
      status: number;
      rateLimitRemaining: number | null;
      url: string;
      requests: number;
    }
  | { ok: false; failure: FailureCode; url: string; requests: number };

/**
 * A RetryableError that also says how many HTTP requests the attempt made, so that quota
 * accounting stays right when an attempt fails.
 */
export class RteRetryableError extends RetryableError {
  constructor(
    failure: FailureDetails,
    readonly requests: number,
  ) {
    super(failure);
    this.name = 'RteRetryableError';
  }
}

export interface ExportRequest {
  path: string;
  params: { where: string; order_by: string; timezone: string };
}

/** `2026-11-28T04:00:00Z`: whole seconds, UTC. */
function odsqlInstant(text: string): string {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new RangeError(`Not an ISO-8601 instant: ${JSON.stringify(text)}`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildExportRequest(dataset: string, from: string, to: string): ExportRequest {
  return {
    path: `/api/explore/v2.1/catalog/datasets/${encodeURIComponent(dataset)}/exports/json`,
    params: {
      where: `date_heure >= date'${odsqlInstant(from)}' and date_heure < date'${odsqlInstant(to)}'`,
      order_by: 'date_heure',
      timezone: 'UTC',
    },
  };
}

/** The full request URL, as recorded in source metadata. Never carries credentials. */
export function sourceUrl(baseUrl: string, dataset: string, from: string, to: string): string {
  const req = buildExportRequest(dataset, from, to);
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${req.path}`);
  for (const [k, v] of Object.entries(req.params)) url.searchParams.set(k, v);
  return redactUrl(url.toString());
}

/** Retry-After as milliseconds: delta-seconds or an HTTP-date; undefined when absent or unusable. */
export function parseRetryAfter(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (!Number.isFinite(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, at - nowMs);
}

function header(res: AxiosResponse, name: string): unknown {
  const headers = res.headers as Record<string, unknown>;
  return headers[name];
}

function rateLimitRemaining(res: AxiosResponse): number | null {
  const raw = header(res, 'x-ratelimit-remaining');
  const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** The Node adapter hands `arraybuffer` bodies over as a Buffer; anything else is copied. */
function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(typeof data === 'string' ? data : '');
}

/** `GET <url> -> 503: <body snippet>`, built without ever touching request headers. */
function describeResponse(res: AxiosResponse): string {
  const s = summarizeHttpError(
    new AxiosError('unexpected status', AxiosError.ERR_BAD_RESPONSE, res.config, null, res),
  );
  return truncate(`${s.method} ${s.url} -> ${s.status ?? '?'}${s.body ? `: ${s.body}` : ''}`, 600);
}

function isRecordWithDateHeure(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as Record<string, unknown>).date_heure === 'string'
  );
}

type BodyCheck = { ok: true; rows: Record<string, unknown>[] } | { ok: false; problem: string };

function checkBody(body: Buffer, contentType: unknown): BodyCheck {
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const kind =
      typeof contentType === 'string' && /html/i.test(contentType) ? 'an HTML page' : 'invalid JSON';
    return {
      ok: false,
      problem: `body is ${kind} (${body.length} bytes, content-type ${typeof contentType === 'string' ? contentType : 'none'}): ${truncate(text, 200)}`,
    };
  }
  if (!Array.isArray(parsed))
    return { ok: false, problem: `body is JSON but not an array: ${truncate(text, 200)}` };
  const bad = parsed.findIndex((r) => !isRecordWithDateHeure(r));
  if (bad >= 0) {
    return {
      ok: false,
      problem: `element ${bad} of ${parsed.length} is not a record with a string date_heure: ${truncate(JSON.stringify(parsed[bad]) ?? 'undefined', 200)}`,
    };
  }
  return { ok: true, rows: parsed as Record<string, unknown>[] };
}

/**
 * Fetches one [from, to) window of a dataset with the exports endpoint (one request, no paging).
 * Returns a typed failure for answers retrying cannot fix, and throws RetryableError (really
 * RteRetryableError) for everything worth another attempt.
 */
export async function fetchWindow(
  deps: FetchWindowDeps,
  req: FetchWindowRequest,
): Promise<FetchWindowResult> {
  const baseUrl = deps.http.defaults.baseURL ?? '';
  let request: ExportRequest;
  let url: string;
  try {
    request = buildExportRequest(req.dataset, req.from, req.to);
    url = sourceUrl(baseUrl, req.dataset, req.from, req.to);
  } catch (e) {
    return {
      ok: false,
      failure: permanentFailure({ code: 'INVALID_WINDOW', httpStatus: null, message: errorMessage(e) }),
      url: '',
      requests: 0,
    };
  }
  if (Date.parse(req.from) >= Date.parse(req.to)) {
    return {
      ok: false,
      failure: permanentFailure({
        code: 'INVALID_WINDOW',
        httpStatus: null,
        message: `empty window [${req.from}, ${req.to})`,
      }),
      url,
      requests: 0,
    };
  }

  let requests = 0;
  const retryable = (failure: FailureDetails): RteRetryableError => new RteRetryableError(failure, requests);

  let authorization: string | null;
  try {
    authorization = await deps.getAuthorization();
  } catch (err) {
    // No API request was sent: say so, or the attempt is billed one request against the quota.
    if (err instanceof PermanentError) return { ok: false, failure: err.failure, url, requests: 0 };
    if (err instanceof RetryableError) throw new RteRetryableError(err.failure, 0);
    throw err;
  }
  let res: AxiosResponse;
  try {
    res = await deps.http.get(request.path, {
      params: request.params,
      headers: authorization === null ? {} : { Authorization: authorization },
      responseType: 'arraybuffer',
      validateStatus: () => true,
      onRequestSent: () => {
        requests++;
      },
    });
  } catch (err) {
    // Rebuilt from a sanitised summary: the axios error holds the request config and headers.
    const s = summarizeHttpError(err);
    const code = isAxiosError(err) ? (err.code ?? '') : '';
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      const timeout = isAxiosError(err) ? err.config?.timeout : undefined;
      throw retryable({
        code: 'RTE_TIMEOUT',
        httpStatus: null,
        message: `GET ${url} timed out${timeout ? ` after ${timeout} ms` : ''}`,
      });
    }
    const status = s.status;
    throw retryable({
      code: 'RTE_NETWORK',
      httpStatus: status,
      message: truncate(
        `GET ${url} failed after ${requests} request(s): ${s.code ?? 'error'}${s.body ? ` (${s.body})` : ''}`,
        600,
      ),
    });
  }

  const status = res.status;
  if (status === 200) {
    const body = toBuffer(res.data);
    const checked = checkBody(body, header(res, 'content-type'));
    if (!checked.ok)
      throw retryable({ code: 'RTE_BAD_BODY', httpStatus: 200, message: `GET ${url}: ${checked.problem}` });
    if (checked.rows.length === 0) {
      return {
        ok: false,
        failure: permanentFailure({
          code: 'EMPTY_RESPONSE',
          httpStatus: 200,
          message: `GET ${url} -> 200 with no records for the window`,
        }),
        url,
        requests,
      };
    }
    return {
      ok: true,
      body,
      rows: checked.rows,
      status,
      rateLimitRemaining: rateLimitRemaining(res),
      url,
      requests,
    };
  }

  const message = describeResponse(res);
  if (status === 400 || status === 401 || status === 403 || status === 404) {
    return {
      ok: false,
      failure: permanentFailure({ code: `RTE_HTTP_${status}`, httpStatus: status, message }),
      url,
      requests,
    };
  }
  const retryAfterMs = parseRetryAfter(header(res, 'retry-after'));
  throw retryable({
    code: status === 429 ? 'RTE_RATE_LIMITED' : `RTE_HTTP_${status}`,
    httpStatus: status,
    message,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
