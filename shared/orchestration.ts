import type { OrchestrationContext, Task } from 'durable-functions';
import { EntityId } from 'durable-functions';
import { FN, RETRY_POLICY, type DatasetId } from './constants';
import { decodeFailure } from './errors';
import { retryOptionsFor } from './retry';
import { landedUntil, planSlices } from './slicing';
import type {
  AuditInput,
  CustomStatus,
  FailureInfo,
  FetchInput,
  FetchResult,
  IngestionInput,
  RecordRunOperation,
  RunStatus,
  RunSummary,
  Slice,
  StoreInput,
  StoredFile,
} from './types';

type Fetched = Extract<FetchResult, { ok: true }>;
export interface AuditOutput {
  heartbeat: string;
  requests: number;
  requestsByDataset: Partial<Record<DatasetId, number>>;
}

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Yields one already-scheduled task on its own, so that its failure does not hide the others. */
function* settle<R>(task: Task): Generator<Task, Outcome<R>, unknown> {
  try {
    return { ok: true, value: (yield task) as R };
  } catch (error) {
    return { ok: false, error };
  }
}

function failureFrom(slice: Slice, error: unknown, attempts: number): FailureInfo {
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

export function* ingestionOrchestration(context: OrchestrationContext): Generator<Task, RunSummary, unknown> {
  const input = context.df.getInput<IngestionInput>();
  const instanceId = context.df.instanceId;
  const startedAt = context.df.currentUtcDateTime.toISOString();
  const slices = planSlices(input.datasets, input.from, input.to);
  const perDataset = new Map<DatasetId, Slice[]>();
  for (const s of slices) perDataset.set(s.dataset, [...(perDataset.get(s.dataset) ?? []), s]);
  const multiSlice = [...perDataset.values()].some((list) => list.length > 1);
  const parallelism = Math.max(1, input.parallelism);

  const status: CustomStatus = { stage: 'fetch', slices: slices.length, fetched: 0, stored: 0, failed: 0 };
  context.df.setCustomStatus({ ...status });

  const failures: FailureInfo[] = [];
  const fetched: Fetched[] = [];
  const stored: { fetched: Fetched; file: StoredFile }[] = [];
  const startFetch = (slice: Slice): Task =>
    context.df.callActivityWithRetry(FN.fetchActivity, retryOptionsFor(instanceId, slice.key), {
      instanceId,
      slot: input.slot,
      slice,
      multiSlice,
      ...(input.runTag ? { runTag: input.runTag } : {}),
    } satisfies FetchInput);
  const startStore = (item: Fetched): Task =>
    context.df.callActivityWithRetry(
      FN.storeActivity,
      retryOptionsFor(instanceId, `store-${item.slice.key}`),
      {
        instanceId,
        fetched: item,
      } satisfies StoreInput,
    );

  // A pipeline of steps: each step fetches the next `parallelism` slices while it stores the
  // slices the previous step fetched. A step is one Task.all of new tasks only: a compound task
  // holding already-scheduled tasks would schedule them a second time (durable-js Task.any/all).
  // Task.all fails fast, so each task is then settled on its own.
  const retryLater = new Map<string, { slice: Slice; failure: FailureInfo }>();
  const pipeline = function* (todo: readonly Slice[]): Generator<Task, void, unknown> {
    let toStore: Fetched[] = [];
    for (let i = 0; i < todo.length || toStore.length > 0; i += parallelism) {
      const fetchBatch = todo.slice(i, i + parallelism);
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
        if (outcome.ok) {
          stored.push({ fetched: item, file: outcome.value });
          status.stored++;
        } else {
          failures.push(failureFrom(item.slice, outcome.error, RETRY_POLICY.maxNumberOfAttempts));
          status.failed++;
        }
      }
      toStore = [];
      for (const [j, slice] of fetchBatch.entries()) {
        const outcome = yield* settle<FetchResult>(fetchTasks[j] as Task);
        if (outcome.ok && outcome.value.ok) {
          fetched.push(outcome.value);
          toStore.push(outcome.value);
          status.fetched++;
        } else {
          const failure =
            outcome.ok && !outcome.value.ok
              ? outcome.value.failure
              : failureFrom(slice, outcome.ok ? undefined : outcome.error, RETRY_POLICY.maxNumberOfAttempts);
          failures.push(failure);
          if (
            failure.retry_after_ms !== undefined &&
            failure.retry_after_ms <= RETRY_POLICY.maxRetryAfterMs
          ) {
            retryLater.set(slice.key, { slice, failure });
          }
          status.failed++;
        }
      }
      if (i + parallelism >= todo.length) status.stage = 'store';
      context.df.setCustomStatus({ ...status });
    }
  };
  yield* pipeline(slices);

  // The server said when to come back (Retry-After): one more round for those slices, after a
  // durable timer set to the latest time asked for. Longer waits are left to the next run.
  if (retryLater.size > 0) {
    const again = [...retryLater.values()];
    const superseded = new Set(again.map((r) => r.failure));
    const waitMs = Math.max(...again.map((r) => r.failure.retry_after_ms ?? 0));
    const kept = failures.filter((f) => !superseded.has(f));
    failures.splice(0, failures.length, ...kept);
    status.failed -= again.length;
    status.stage = 'fetch';
    context.df.setCustomStatus({ ...status });
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + waitMs));
    retryLater.clear();
    yield* pipeline(again.map((r) => r.slice));
  }

  const runStatus: RunStatus =
    failures.length === 0 ? 'succeeded' : stored.length === 0 ? 'failed' : 'partial';
  const storedByKey = new Map(stored.map((s) => [s.fetched.slice.key, s]));
  const watermarks: Partial<Record<DatasetId, string>> = {};
  for (const [dataset, list] of perDataset) {
    const landed = new Map<string, string>();
    for (const s of list) {
      const hit = storedByKey.get(s.key);
      if (hit) landed.set(s.key, hit.fetched.completeness.firstMissing ?? s.to);
    }
    const until = landedUntil(list, landed);
    if (until !== null) watermarks[dataset] = until;
  }

  status.stage = 'audit';
  context.df.setCustomStatus({ ...status });
  const audit: AuditInput = {
    instanceId,
    ...(input.runTag ? { runTag: input.runTag } : {}),
    trigger: input.trigger,
    slot: input.slot,
    window: { from: input.from, to: input.to },
    datasets: input.datasets,
    startedAt,
    finishedAt: context.df.currentUtcDateTime.toISOString(),
    status: runStatus,
    files: stored.map((s) => s.file),
    slices: slices.map((s) => {
      const f = fetched.find((x) => x.slice.key === s.key);
      return {
        key: s.key,
        dataset: s.dataset,
        window: { from: s.from, to: s.to },
        attempts: f?.attempts ?? 0,
        requests: f?.requests ?? 0,
        file: storedByKey.get(s.key)?.file.path ?? null,
        completeness: f?.completeness ?? null,
      };
    }),
    failures,
  };
  const auditOut = (yield context.df.callActivityWithRetry(
    FN.auditActivity,
    retryOptionsFor(instanceId, 'audit'),
    audit,
  )) as AuditOutput;

  for (const dataset of input.datasets) {
    const op: RecordRunOperation = {
      runId: instanceId,
      status: runStatus,
      at: audit.finishedAt,
      landedUntil: watermarks[dataset] ?? null,
      requests: auditOut.requestsByDataset[dataset] ?? 0,
    };
    context.df.signalEntity(new EntityId(FN.stateEntity, dataset), 'recordRun', op);
  }

  const summary: RunSummary = {
    status: runStatus,
    records: stored.reduce((n, s) => n + s.file.records, 0),
    files: stored.length,
    failures,
    heartbeat: auditOut.heartbeat,
    watermarks,
    requests: auditOut.requests,
  };
  status.stage = 'done';
  context.df.setCustomStatus({ ...status });
  if (runStatus === 'failed') {
    // The entity signals above are sent with the failure (the extension processes every action).
    throw new Error(`Ingestion failed: all ${slices.length} slices failed. ${JSON.stringify(summary)}`);
  }
  return summary;
}
