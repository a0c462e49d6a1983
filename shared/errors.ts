import { truncate } from './httpError';

export { redactUrl, summarizeHttpError, truncate, type HttpErrorSummary } from './httpError';

/** A setting is missing or malformed; the message names every bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Every failure code the app reports (in history, the audit record and the run summary). */
export type ErrorCode =
  | 'ACTIVITY_FAILED'
  | 'INVALID_WINDOW'
  | 'EMPTY_RESPONSE'
  | 'RTE_TIMEOUT'
  | 'RTE_NETWORK'
  | 'RTE_BAD_BODY'
  | 'RTE_RATE_LIMITED'
  | `RTE_HTTP_${number}`
  | 'OAUTH_TOKEN_FAILED'
  | 'OAUTH_REJECTED'
  | 'SECRET_NOT_FOUND'
  | 'SECRET_UNAVAILABLE'
  | 'SECRET_FILE_UNREADABLE'
  | 'SECRET_FILE_INVALID'
  | 'LAKE_WRITE_FAILED'
  | 'LAKE_CONFLICT'
  | 'STAGING_MISSING'
  | 'STAGING_CORRUPT';

/** Carried across the durable boundary: activities throw it, the orchestrator decodes it. */
export interface FailureCode {
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
  code: ErrorCode;
  httpStatus: number | null;
  message: string;
  retryable: boolean;
}

/** A failure as a site describes it; whether it is retryable follows from the class thrown. */
export type FailureDetails = Omit<FailureCode, 'retryable'>;

/** A failure retrying cannot fix, returned (not thrown) as part of a result. */
export function permanentFailure(details: FailureDetails): FailureCode {
  return { ...details, retryable: false };
}

/**
 * Thrown by an activity when the failure may pass on a later attempt (the durable retry policy
 * then schedules another attempt). Its message embeds the failure as JSON, because the host
 * flattens activity exceptions into text before they reach the orchestrator.
 */
export class RetryableError extends Error {
  readonly failure: FailureCode;
  constructor(details: FailureDetails) {
    const failure: FailureCode = { ...details, retryable: true };
    super(encodeFailure(failure));
    this.failure = failure;
    this.name = 'RetryableError';
  }
}

/** Retrying cannot help (a conflict in the lake, a corrupt staged file). */
export class PermanentError extends Error {
  readonly failure: FailureCode;
  constructor(details: FailureDetails) {
    const failure = permanentFailure(details);
    super(encodeFailure(failure));
    this.failure = failure;
    this.name = 'PermanentError';
  }
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The HTTP status and service error code of an Azure SDK error (`RestError`): storage puts the
 * code in `details.errorCode`, Key Vault in `details.error.code`, network failures in `code`.
 */
export function azureErrorFacts(err: unknown): { status: number | null; code: string | null } {
  if (typeof err !== 'object' || err === null) return { status: null, code: null };
  const e = err as { statusCode?: unknown; code?: unknown; details?: unknown };
  const details = (typeof e.details === 'object' && e.details !== null ? e.details : {}) as {
    errorCode?: unknown;
    error?: { code?: unknown };
  };
  const code = [details.errorCode, details.error?.code, e.code].find((c) => typeof c === 'string');
  return {
    status: typeof e.statusCode === 'number' ? e.statusCode : null,
    code: code ?? null,
  };
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
