import type { AxiosError } from 'axios';
import { isSecretParam } from './secretParams';

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    for (const name of [...url.searchParams.keys()]) {
      if (isSecretParam(name)) url.searchParams.set(name, 'REDACTED');
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
