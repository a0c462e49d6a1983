import { createHash } from 'node:crypto';
import { checkCompleteness } from './completeness';
import { errorMessage, PermanentError, RetryableError, type FailureCode } from './errors';
import type { FetchWindowRequest, FetchWindowResult } from './rte/client';
import { lanePriority, type GateOptions } from './rte/gate';
import type { Lake } from './lake/lake';
import { attemptsPath, finalPath, stagingPath } from './paths';
import type { FetchInput, FetchResult } from './types';

/** The ODRE client's fetchWindow, bound to its HTTP client and credentials. */
export type WindowFetcher = (req: FetchWindowRequest, options?: GateOptions) => Promise<FetchWindowResult>;

export interface AttemptCounter {
  attempts: number;
  requests: number;
}

/**
 * Each attempt is counted in the lake once it has an answer: the orchestrator cannot see the
 * host's retries. (An attempt cut short by a crash goes uncounted; its requests are in the logs.)
 */
export async function readCounter(lake: Lake, path: string): Promise<AttemptCounter> {
  const raw = await lake.read(path);
  if (!raw) return { attempts: 0, requests: 0 };
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as Partial<AttemptCounter>;
    return { attempts: Number(parsed.attempts) || 0, requests: Number(parsed.requests) || 0 };
  } catch {
    return { attempts: 0, requests: 0 };
  }
}

async function writeCounter(lake: Lake, path: string, c: AttemptCounter): Promise<void> {
  await lake.write(path, Buffer.from(JSON.stringify(c)), {
    contentType: 'application/json',
    metadata: {},
    durable: false,
  });
}

function requestsOf(err: unknown): number {
  const n = (err as { requests?: unknown } | null)?.requests;
  return typeof n === 'number' && n >= 0 ? n : 1;
}

/**
 * Fetches one slice and stages the raw body byte for byte. Returns metadata only; a
 * non-retryable answer comes back as a typed failure, anything worth retrying is thrown.
 */
export async function fetchSliceToStaging(
  deps: { lake: Lake; fetchWindow: WindowFetcher },
  input: FetchInput,
): Promise<FetchResult> {
  const { slice, instanceId } = input;
  const counterPath = attemptsPath(instanceId, slice.key);
  const counter = await readCounter(deps.lake, counterPath);
  counter.attempts++;

  let answer: Awaited<ReturnType<WindowFetcher>>;
  try {
    answer = await deps.fetchWindow(
      { dataset: slice.dataset, from: slice.from, to: slice.to },
      { priority: lanePriority(input.backlog) },
    );
  } catch (err) {
    counter.requests += requestsOf(err);
    await writeCounter(deps.lake, counterPath, counter);
    if (err instanceof PermanentError) return failed(input, err.failure, counter);
    throw err;
  }
  counter.requests += answer.requests;
  await writeCounter(deps.lake, counterPath, counter);
  if (!answer.ok) return failed(input, answer.failure, counter);

  const sha256 = createHash('sha256').update(answer.body).digest('hex');
  const staging = stagingPath(instanceId, slice.key);
  const final = finalPath(
    Date.parse(input.slot),
    slice.dataset,
    Date.parse(slice.from),
    input.multiSlice,
    input.runTag,
  );
  const completeness = checkCompleteness(slice.dataset, slice.from, slice.to, answer.rows);
  try {
    await deps.lake.write(staging, answer.body, {
      contentType: 'application/json',
      metadata: {
        source_url: answer.url,
        dataset: slice.dataset,
        window_from: slice.from,
        window_to: slice.to,
        sha256,
        record_count: String(answer.rows.length),
        instance_id: instanceId,
      },
      durable: false,
    });
  } catch (err) {
    throw new RetryableError({
      code: 'LAKE_WRITE_FAILED',
      httpStatus: null,
      message: `staging ${staging}: ${errorMessage(err)}`.slice(0, 300),
    });
  }
  return {
    ok: true,
    slice,
    stagingPath: staging,
    finalPath: final,
    sourceUrl: answer.url,
    records: answer.rows.length,
    bytes: answer.body.length,
    sha256,
    httpStatus: answer.status,
    rateLimitRemaining: answer.rateLimitRemaining,
    attempts: counter.attempts,
    requests: counter.requests,
    completeness,
  };
}

function failed(input: FetchInput, f: FailureCode, counter: AttemptCounter): FetchResult {
  return {
    ok: false,
    slice: input.slice,
    requests: counter.requests,
    failure: {
      dataset: input.slice.dataset,
      window: { from: input.slice.from, to: input.slice.to },
      http_status: f.httpStatus,
      code: f.code,
      message: f.message,
      retryable: f.retryable,
      attempts: counter.attempts,
      ...(f.deferredUntil ? { deferred_until: f.deferredUntil } : {}),
    },
  };
}
