/** The ODRE stand-in's public types: its options, its handle, its fault rules and request log. */
import type { GapSpec, StallSpec } from './availability';

export type FaultKind = number | 'timeout' | 'drop' | 'truncate' | 'malformed' | 'html' | 'empty';

export interface FaultRule {
  /** An HTTP status (429 sends the quota body) or a transport/body fault. */
  kind: FaultKind;
  /** Only requests for this dataset; all datasets when omitted. */
  dataset?: string;
  /** Only this endpoint; records and exports when omitted (the token endpoint only when named). */
  endpoint?: 'records' | 'exports' | 'token';
  /** How many matching requests fail; 1 when omitted (unless `from` or `until` is set), or 'forever'. */
  times?: number | 'forever';
  /** Fail matching requests only once the server clock reaches this instant (an outage in virtual time). */
  from?: string;
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

/** Which documented 429 body an exhausted quota answers with. */
export type QuotaBodyKind = 'domain' | 'anonymous' | 'auto';

/** Behaviours of the real portal (facts.md section 6); each can be turned off or set per test. */
export interface Quirks {
  /** Spring change: ghost rows for the Paris hour 02:00 at 01:00-01:45Z. Default true. */
  springGhostRows: boolean;
  /** Autumn change: the first pass of the Paris 02:00 hour (00:00-00:45Z) is missing. Default true. */
  autumnHole: boolean;
  /** Exports come back in a fixed order that is not the dates', even with order_by. Default false (fake-api: on). */
  unorderedExports: boolean;
}

export interface FakeOdreOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  host?: string;
  /** Fixed server time, or a clock (`now: () => number` for virtual time). Defaults to the real clock. */
  now?: Date | string | number | (() => Date | number);
  latencyMs?: number;
  /** Calls a UTC day before 429. Default 10000. */
  dailyLimit?: number;
  /** Calls a UTC month before 429 (limit_time_unit "month"). Default none. */
  monthlyLimit?: number;
  /** 'domain' (errorcode 10002, default), 'anonymous' (10005), or 'auto': 10005 without credentials. */
  quotaBody?: QuotaBodyKind;
  requireAuth?: { apiKey?: string; bearerToken?: string; acceptIssuedTokens?: boolean };
  oauth?: { clientId: string; clientSecret: string; expiresInSeconds?: number };
  gaps?: GapSpec[];
  faults?: FaultRule[];
  /** First instant of the real-time datasets when no release start is set (default 2025-01-01 Paris). */
  dataStart?: string | number | Date;
  /** Real-time datasets hold data from this 1st of a month; the historical ones up to it. */
  releaseStart?: string | number | Date;
  /** Feed lag: values stay null until this long after their instant's end. Default one hour. */
  publishDelayMs?: number;
  /** Stalled feeds in server time. */
  stalls?: StallSpec[];
  /** Rows before this instant carry "ND" and "-" (default 2020-01-01). */
  notAvailableBefore?: string | number | Date;
  quirks?: Partial<Quirks>;
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
  /** The feed lag, settable while running. */
  setLag(ms: number): void;
  setStalls(stalls: StallSpec[]): void;
  /** Null: back to dataStart. */
  setReleaseStart(at: string | number | Date | null): void;
  setQuirks(quirks: Partial<Quirks>): void;
  quirks(): Quirks;
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
