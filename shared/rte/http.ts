import axios, { type AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import axiosRetry from 'axios-retry';
import { TRANSPORT_RETRIES } from '../constants';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Called once per HTTP request actually sent, transport retries included. */
    onRequestSent?: () => void;
  }
}

export interface RteHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Extra tries for a dropped connection within one attempt. Defaults to TRANSPORT_RETRIES. */
  transportRetries?: number;
}

/**
 * Failures where the request never got an answer and sending it again is harmless. Timeouts
 * are deliberately absent: a slow portal is the durable retry policy's business (it waits
 * longer between attempts), not something to hammer within one attempt.
 */
const TRANSPORT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETRESET',
  'EHOSTUNREACH',
  'ERR_NETWORK',
]);

export function isTransportFailure(err: AxiosError): boolean {
  return err.response === undefined && err.code !== undefined && TRANSPORT_CODES.has(err.code);
}

/** 100 ms, 200 ms, then 300 ms for any further retry. */
export function transportRetryDelay(retryCount: number): number {
  return Math.min(300, 100 * 2 ** Math.max(0, retryCount - 1));
}

const totals = new WeakMap<AxiosInstance, { requests: number }>();

/** Every HTTP request this instance has sent since it was created. */
export function totalRequests(http: AxiosInstance): number {
  return totals.get(http)?.requests ?? 0;
}

/**
 * The axios instance for the ODRE API. Bodies stay raw bytes (`arraybuffer`) so that Bronze
 * stores exactly what the portal sent; only dropped connections are retried here.
 */
export function createRteHttp(opts: RteHttpOptions): AxiosInstance {
  const http = axios.create({
    baseURL: opts.baseUrl.replace(/\/+$/, ''),
    timeout: opts.timeoutMs,
    responseType: 'arraybuffer',
    maxRedirects: 3,
    headers: { Accept: 'application/json' },
  });
  const total = { requests: 0 };
  totals.set(http, total);
  // Registered before axios-retry so that it runs after it (axios runs request interceptors in
  // reverse order); each retry passes through again and is counted.
  http.interceptors.request.use((config: InternalAxiosRequestConfig) => {
    total.requests++;
    config.onRequestSent?.();
    return config;
  });
  axiosRetry(http, {
    retries: opts.transportRetries ?? TRANSPORT_RETRIES,
    retryCondition: isTransportFailure,
    retryDelay: transportRetryDelay,
    shouldResetTimeout: true,
  });
  return http;
}
