import type { OrchestrationContext, Task } from 'durable-functions';
import { FN, RETRY_POLICY } from '../constants';
import { decodeFailure } from '../errors';
import { retryOptionsFor } from '../retry';
import type { FailureInfo, FetchInput, FetchResult, Slice, StoreInput, StoredFile } from '../types';
import { stepRound, streamRound, type RoundDeps } from './rounds';

export type Fetched = Extract<FetchResult, { ok: true }>;

/** Where one run of the pipeline stands: slices fetched and stored, failures, counts for the status. */
export interface PipelineResult {
  fetched: Fetched[];
  stored: { fetched: Fetched; file: StoredFile }[];
  failures: FailureInfo[];
  /** Slices not fetched because the quota is exhausted (or the run was deferred): for a later run. */
  deferred: string[];
  quotaUntil: string | null;
}

export interface PipelineParams {
  /** The run's id: staging paths and retry jitter are the run's, whichever instance fetches. */
  runId: string;
  slot: string;
  runTag?: string;
  multiSlice: boolean;
  /** Slices fetched at once (steps), or kept scheduled (a stream). */
  width: number;
  /** A stream instead of steps (rounds.ts): a lane of a backfill. */
  stream?: boolean;
  /** A lane's chunk: the slices the lane has after these. The gate lets the lane furthest behind go first. */
  backlog?: number;
  /** Send no request at all (the starter deferred the run). */
  deferAll?: boolean;
  onProgress?: (counts: { fetched: number; stored: number; failed: number; storing: boolean }) => void;
}

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export function failureFrom(slice: Slice, error: unknown, attempts: number): FailureInfo {
  const decoded = decodeFailure(error instanceof Error ? error.message : String(error));
  return {
    dataset: slice.dataset,
    window: { from: slice.from, to: slice.to },
    http_status: decoded.httpStatus,
    code: decoded.code,
    message: decoded.message,
    retryable: decoded.retryable,
    attempts,
    ...(decoded.retryAfterMs !== undefined ? { retry_after_ms: decoded.retryAfterMs } : {}),
  };
}

/**
 * Fetches and stores `slices`, in steps (a scheduled run) or as a stream (`stream`: a lane of a
 * backfill), see rounds.ts. Slices the server asked to come back for (Retry-After up to
 * RETRY_POLICY.maxRetryAfterMs) get one more round after a durable timer.
 */
export function* ingestSlices(
  context: OrchestrationContext,
  slices: readonly Slice[],
  p: PipelineParams,
): Generator<Task, PipelineResult, unknown> {
  const result: PipelineResult = { fetched: [], stored: [], failures: [], deferred: [], quotaUntil: null };
  // An exhausted quota stops every request still to send: those slices are deferred, not failed.
  let stopFetching = p.deferAll === true;
  const retryLater = new Map<string, { slice: Slice; failure: FailureInfo }>();
  const after = new Map(slices.map((s, i) => [s.key, slices.length - 1 - i]));
  const backlogOf = (slice: Slice): { backlog?: number } =>
    p.backlog === undefined ? {} : { backlog: p.backlog + (after.get(slice.key) ?? 0) };
  const deps: RoundDeps = {
    context,
    width: p.width,
    startFetch: (slice) =>
      context.df.callActivityWithRetry(FN.fetchActivity, retryOptionsFor(p.runId, slice.key), {
        instanceId: p.runId,
        slot: p.slot,
        slice,
        multiSlice: p.multiSlice,
        ...(p.runTag ? { runTag: p.runTag } : {}),
        ...backlogOf(slice),
      } satisfies FetchInput),
    startStore: (item) =>
      context.df.callActivityWithRetry(
        FN.storeActivity,
        retryOptionsFor(p.runId, `store-${item.slice.key}`),
        {
          instanceId: p.runId,
          fetched: item,
        } satisfies StoreInput,
      ),
    fetched: (slice, outcome) => {
      if (outcome.ok && outcome.value.ok) {
        result.fetched.push(outcome.value);
        return outcome.value;
      }
      const failure =
        outcome.ok && !outcome.value.ok
          ? outcome.value.failure
          : failureFrom(slice, outcome.ok ? undefined : outcome.error, RETRY_POLICY.maxNumberOfAttempts);
      if (failure.deferred_until !== undefined) {
        stopFetching = true;
        result.quotaUntil = failure.deferred_until;
        result.deferred.push(slice.key);
        return null;
      }
      result.failures.push(failure);
      if (failure.retry_after_ms !== undefined && failure.retry_after_ms <= RETRY_POLICY.maxRetryAfterMs) {
        retryLater.set(slice.key, { slice, failure });
      }
      return null;
    },
    stored: (item, outcome) => {
      if (outcome.ok) result.stored.push({ fetched: item, file: outcome.value });
      else result.failures.push(failureFrom(item.slice, outcome.error, RETRY_POLICY.maxNumberOfAttempts));
    },
    stopped: () => stopFetching,
    defer: (todo) => void result.deferred.push(...todo.map((s) => s.key)),
    progress: (storing) =>
      p.onProgress?.({
        fetched: result.fetched.length,
        stored: result.stored.length,
        failed: result.failures.length,
        storing,
      }),
  };
  const round = p.stream ? streamRound : stepRound;
  yield* round(deps, slices);

  if (retryLater.size > 0) {
    const again = [...retryLater.values()];
    const superseded = new Set(again.map((r) => r.failure));
    const waitMs = Math.max(...again.map((r) => r.failure.retry_after_ms ?? 0));
    result.failures = result.failures.filter((f) => !superseded.has(f));
    deps.progress(false);
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + waitMs));
    retryLater.clear();
    yield* round(
      deps,
      again.map((r) => r.slice),
    );
  }
  return result;
}
