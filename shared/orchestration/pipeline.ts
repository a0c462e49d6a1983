import type { OrchestrationContext, Task } from 'durable-functions';
import { FN, RETRY_POLICY } from '../constants';
import { decodeFailure } from '../errors';
import { retryOptionsFor } from '../retry';
import type { FailureInfo, FetchInput, FetchResult, Slice, StoreInput, StoredFile } from '../types';

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
  /** Slices fetched at once. */
  width: number;
  /** Send no request at all (the starter deferred the run). */
  deferAll?: boolean;
  onProgress?: (counts: { fetched: number; stored: number; failed: number; storing: boolean }) => void;
}

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Yields one already-scheduled task on its own, so that its failure does not hide the others. */
export function* settle<R>(task: Task): Generator<Task, Outcome<R>, unknown> {
  try {
    return { ok: true, value: (yield task) as R };
  } catch (error) {
    return { ok: false, error };
  }
}

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
 * Fetches and stores `slices`: each step fetches the next `width` slices while it stores those
 * the previous step fetched, so a store never waits for the fetches after it. A step is one
 * Task.all of new tasks only: durable-functions lets a task belong to one compound task, and one
 * holding already-scheduled tasks would schedule them a second time. Task.all fails fast, so
 * each task is then settled on its own. Slices the server asked to come back for (Retry-After up
 * to RETRY_POLICY.maxRetryAfterMs) get one more round after a durable timer.
 */
export function* ingestSlices(
  context: OrchestrationContext,
  slices: readonly Slice[],
  p: PipelineParams,
): Generator<Task, PipelineResult, unknown> {
  const result: PipelineResult = { fetched: [], stored: [], failures: [], deferred: [], quotaUntil: null };
  // An exhausted quota stops every request still to send: those slices are deferred, not failed.
  let stopFetching = p.deferAll === true;
  const width = Math.max(1, p.width);
  const startFetch = (slice: Slice): Task =>
    context.df.callActivityWithRetry(FN.fetchActivity, retryOptionsFor(p.runId, slice.key), {
      instanceId: p.runId,
      slot: p.slot,
      slice,
      multiSlice: p.multiSlice,
      ...(p.runTag ? { runTag: p.runTag } : {}),
    } satisfies FetchInput);
  const startStore = (item: Fetched): Task =>
    context.df.callActivityWithRetry(FN.storeActivity, retryOptionsFor(p.runId, `store-${item.slice.key}`), {
      instanceId: p.runId,
      fetched: item,
    } satisfies StoreInput);
  const progress = (storing: boolean): void =>
    p.onProgress?.({
      fetched: result.fetched.length,
      stored: result.stored.length,
      failed: result.failures.length,
      storing,
    });

  const retryLater = new Map<string, { slice: Slice; failure: FailureInfo }>();
  const round = function* (todo: readonly Slice[]): Generator<Task, void, unknown> {
    let toStore: Fetched[] = [];
    for (let i = 0; i < todo.length || toStore.length > 0; i += width) {
      if (stopFetching && i < todo.length) {
        result.deferred.push(...todo.slice(i).map((s) => s.key));
        i = todo.length;
      }
      const fetchBatch = todo.slice(i, i + width);
      const storeBatch = toStore;
      const storeTasks = storeBatch.map(startStore);
      const fetchTasks = fetchBatch.map(startFetch);
      try {
        yield context.df.Task.all([...storeTasks, ...fetchTasks]);
      } catch {
        // outcomes are collected task by task below
      }
      for (const [j, item] of storeBatch.entries()) {
        const outcome = yield* settle<StoredFile>(storeTasks[j] as Task);
        if (outcome.ok) result.stored.push({ fetched: item, file: outcome.value });
        else result.failures.push(failureFrom(item.slice, outcome.error, RETRY_POLICY.maxNumberOfAttempts));
      }
      toStore = [];
      for (const [j, slice] of fetchBatch.entries()) {
        const outcome = yield* settle<FetchResult>(fetchTasks[j] as Task);
        if (outcome.ok && outcome.value.ok) {
          result.fetched.push(outcome.value);
          toStore.push(outcome.value);
          continue;
        }
        const failure =
          outcome.ok && !outcome.value.ok
            ? outcome.value.failure
            : failureFrom(slice, outcome.ok ? undefined : outcome.error, RETRY_POLICY.maxNumberOfAttempts);
        if (failure.deferred_until !== undefined) {
          stopFetching = true;
          result.quotaUntil = failure.deferred_until;
          result.deferred.push(slice.key);
          continue;
        }
        result.failures.push(failure);
        if (failure.retry_after_ms !== undefined && failure.retry_after_ms <= RETRY_POLICY.maxRetryAfterMs) {
          retryLater.set(slice.key, { slice, failure });
        }
      }
      progress(i + width >= todo.length);
    }
  };
  yield* round(slices);

  if (retryLater.size > 0) {
    const again = [...retryLater.values()];
    const superseded = new Set(again.map((r) => r.failure));
    const waitMs = Math.max(...again.map((r) => r.failure.retry_after_ms ?? 0));
    result.failures = result.failures.filter((f) => !superseded.has(f));
    progress(false);
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + waitMs));
    retryLater.clear();
    yield* round(again.map((r) => r.slice));
  }
  return result;
}
