import { isAxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { DatasetId } from '../constants';
import {
  errorMessage,
  permanentFailure,
  PermanentError,
  RetryableError,
  summarizeHttpError,
  truncate,
  type FailureCode,
  type FailureDetails,
} from '../errors';
import { ungated, type GateOptions, type RequestGate } from './gate';
import { buildExportRequest, sourceUrl, type ExportRequest } from './request';
import {
  checkBody,
  describeResponse,
  header,
  parseRetryAfter,
  quotaReset,
  rateLimitRemaining,
  toBuffer,
} from './response';

export interface FetchWindowDeps {
  http: AxiosInstance;
  /** The full Authorization header value (`Apikey …`, `Bearer …`), or null for anonymous calls. */
  getAuthorization: () => Promise<string | null>;
  /** At most INGESTION_PARALLELISM requests at once in the process (shared/rte/gate.ts). */
  gate?: RequestGate;
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

/**
 * Fetches one [from, to) window of a dataset with the exports endpoint (one request, no paging).
 * Returns a typed failure for answers retrying cannot fix, and throws RetryableError (really
 * RteRetryableError) for everything worth another attempt.
 */
export async function fetchWindow(
  deps: FetchWindowDeps,
  req: FetchWindowRequest,
  options: GateOptions = {},
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
    res = await (deps.gate ?? ungated)(
      () =>
        deps.http.get(request.path, {
          params: request.params,
          headers: authorization === null ? {} : { Authorization: authorization },
          responseType: 'arraybuffer',
          validateStatus: () => true,
          onRequestSent: () => {
            requests++;
          },
        }),
      options,
    );
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
  if (status === 429) {
    const until = quotaReset(toBuffer(res.data));
    if (until !== null) {
      return {
        ok: false,
        failure: {
          code: 'RTE_QUOTA_EXHAUSTED',
          httpStatus: 429,
          message,
          retryable: false,
          deferredUntil: until,
        },
        url,
        requests,
      };
    }
  }
  const retryAfterMs = parseRetryAfter(header(res, 'retry-after'));
  throw retryable({
    code: status === 429 ? 'RTE_RATE_LIMITED' : `RTE_HTTP_${status}`,
    httpStatus: status,
    message,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
