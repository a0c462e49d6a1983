/** Reading an ODRE answer: its body, its quota headers and bodies, and a loggable summary. */
import { AxiosError, type AxiosResponse } from 'axios';
import { summarizeHttpError, truncate } from '../errors';

/** Retry-After as milliseconds: delta-seconds or an HTTP-date; undefined when absent or unusable. */
export function parseRetryAfter(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (!Number.isFinite(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, at - nowMs);
}

export function header(res: AxiosResponse, name: string): unknown {
  const headers = res.headers as Record<string, unknown>;
  return headers[name];
}

export function rateLimitRemaining(res: AxiosResponse): number | null {
  const raw = header(res, 'x-ratelimit-remaining');
  const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : null;
}

/**
 * The documented 429 bodies of an exhausted quota (facts.md §1, §6): errorcode 10002 (domain)
 * or 10005 (anonymous daily limit), with `reset_time`. Returns that instant, or null.
 */
export function quotaReset(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errorcode?: unknown; reset_time?: unknown };
    if (parsed.errorcode !== 10002 && parsed.errorcode !== 10005) return null;
    const at = typeof parsed.reset_time === 'string' ? Date.parse(parsed.reset_time) : NaN;
    return Number.isFinite(at) ? new Date(at).toISOString().replace('.000Z', 'Z') : null;
  } catch {
    return null;
  }
}

/** The Node adapter hands `arraybuffer` bodies over as a Buffer; anything else is copied. */
export function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(typeof data === 'string' ? data : '');
}

/** `GET <url> -> 503: <body snippet>`, built without ever touching request headers. */
export function describeResponse(res: AxiosResponse): string {
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

export type BodyCheck = { ok: true; rows: Record<string, unknown>[] } | { ok: false; problem: string };

export function checkBody(body: Buffer, contentType: unknown): BodyCheck {
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
