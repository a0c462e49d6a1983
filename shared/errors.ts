import type { AxiosError } from 'axios';

/** A setting is missing or malformed; the message names every bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Carried across the durable boundary: activities throw it, the orchestrator decodes it. */
export interface FailureCode {
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
  /** A 429 whose body says the quota is exhausted until `reset_time`: defer, never retry. */
  deferredUntil?: string;
  code: string;
  httpStatus: number | null;
  message: string;
  retryable: boolean;
}

/**
 * Thrown by an activity when the failure may pass on a later attempt (the durable retry policy
 * then schedules another attempt). Its message embeds the failure as JSON, because the host
 * flattens activity exceptions into text before they reach the orchestrator.
 */
export class RetryableError extends Error {
  constructor(readonly failure: FailureCode) {
    super(encodeFailure(failure));
    this.name = 'RetryableError';
  }
}

/** Retrying cannot help (a conflict in the lake, a corrupt staged file). */
export class PermanentError extends Error {
  constructor(readonly failure: FailureCode) {
    super(encodeFailure(failure));
    this.name = 'PermanentError';
  }
}

const MARK = 'WW_FAILURE';

export function encodeFailure(f: FailureCode): string {
  return `${f.code}: ${f.message} ${MARK}${JSON.stringify(f)}${MARK}`;
}

/** Recovers the failure from whatever text the host wrapped around the activity's message. */
export function decodeFailure(text: string): FailureCode {
  const start = text.indexOf(MARK);
  const end = start >= 0 ? text.indexOf(MARK, start + MARK.length) : -1;
  if (start >= 0 && end > start) {
    try {
      const parsed = JSON.parse(text.slice(start + MARK.length, end)) as Partial<FailureCode>;
      if (typeof parsed.code === 'string' && typeof parsed.message === 'string') {
        const decoded: FailureCode = {
          code: parsed.code,
          message: parsed.message,
          httpStatus: typeof parsed.httpStatus === 'number' ? parsed.httpStatus : null,
          retryable: parsed.retryable === true,
        };
        if (typeof parsed.retryAfterMs === 'number') decoded.retryAfterMs = parsed.retryAfterMs;
        return decoded;
      }
    } catch {
      // fall through to the generic failure below
    }
  }
  return { code: 'ACTIVITY_FAILED', httpStatus: null, message: truncate(text, 300), retryable: true };
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Query parameters whose values never reach a log, a heartbeat or history. */
const SECRET_PARAMS = /^(apikey|api_key|key|token|access_token|client_secret|code|sig|signature|password)$/i;

export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    for (const name of [...url.searchParams.keys()]) {
      if (SECRET_PARAMS.test(name)) url.searchParams.set(name, 'REDACTED');
    }
    return url.toString();
  } catch {
    return '<unparseable url>';
  }
}

export interface HttpErrorSummary {
  method: string;
  url: string;
  status: number | null;
  code: string | null;
  body: string;
}

/** axios' own test (`isAxiosError`), without loading axios when this module is imported (cold start). */
function isAxiosError(err: unknown): err is AxiosError {
  return typeof err === 'object' && err !== null && (err as { isAxiosError?: unknown }).isAxiosError === true;
}

/**
 * Strips an axios error to what is safe to log: the error object itself carries the request
 * config, headers included, and so the Authorization header.
 */
export function summarizeHttpError(err: unknown): HttpErrorSummary {
  if (isAxiosError(err)) {
    const cfg = err.config;
    const base = cfg?.baseURL ?? '';
    const path = cfg?.url ?? '';
    const full = path.startsWith('http') ? path : `${base}${path}`;
    const params = cfg?.params as Record<string, string | number | boolean | undefined> | undefined;
    let url = full;
    if (params && full) {
      try {
        const u = new URL(full);
        for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
        url = u.toString();
      } catch {
        url = full;
      }
    }
    return {
      method: (cfg?.method ?? 'get').toUpperCase(),
      url: url ? redactUrl(url) : '',
      status: err.response?.status ?? null,
      code: err.code ?? null,
      body: truncate(bodyText(err.response?.data), 200),
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    method: '',
    url: '',
    status: null,
    code: (e as NodeJS.ErrnoException).code ?? null,
    body: truncate(e.message, 200),
  };
}

function bodyText(data: unknown): string {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8', 0, Math.min(data.length, 400));
  if (data instanceof ArrayBuffer)
    return Buffer.from(data).toString('utf8', 0, Math.min(data.byteLength, 400));
  try {
    return JSON.stringify(data);
  } catch {
    return '';
  }
}
