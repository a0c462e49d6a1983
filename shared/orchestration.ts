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

/**
 * Runs tasks in batches of `limit`. Each batch is scheduled at once with Task.all, then each
 * task is yielded on its own so that one failure does not hide the other results (Task.all
 * fails fast). Already-scheduled tasks are never put into a new compound task, which would
 * schedule them twice.
 */
function* inBatches<T, R>(
  context: OrchestrationContext,
  items: readonly T[],
  limit: number,
  start: (item: T) => Task,
  onSettled: (item: T, outcome: { ok: true; value: R } | { ok: false; error: unknown }) => void,
): Generator<Task, void, unknown> {
  for (let i = 0; i < items.length; i += limit) {
    const batch = items.slice(i, i + limit);
    const tasks = batch.map(start);
    try {
      yield context.df.Task.all(tasks);
    } catch {
      // per-task outcomes are collected below
    }
    for (let j = 0; j < tasks.length; j++) {
      const item = batch[j] as T;
      try {
        const value = (yield tasks[j] as Task) as R;
        onSettled(item, { ok: true, value });
      } catch (error) {
        onSettled(item, { ok: false, error });
      }
    }
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
  yield* inBatches<Slice, FetchResult>(
    context,
    slices,
    parallelism,
    (slice) =>
      context.df.callActivityWithRetry(FN.fetchActivity, retryOptionsFor(instanceId, slice.key), {
        instanceId,
        slot: input.slot,
        slice,
        multiSlice,
      } satisfies FetchInput),
    (slice, outcome) => {
      if (outcome.ok && outcome.value.ok) {
        fetched.push(outcome.value);
        status.fetched++;
      } else {
        failures.push(
          outcome.ok && !outcome.value.ok
            ? outcome.value.failure
            : failureFrom(slice, outcome.ok ? undefined : outcome.error, RETRY_POLICY.maxNumberOfAttempts),
        );
        status.failed++;
      }
    },
  );

  status.stage = 'store';
  context.df.setCustomStatus({ ...status });
  const stored: { fetched: Fetched; file: StoredFile }[] = [];
  yield* inBatches<Fetched, StoredFile>(
    context,
    fetched,
    parallelism,
    (item) =>
      context.df.callActivityWithRetry(
        FN.storeActivity,
        retryOptionsFor(instanceId, `store-${item.slice.key}`),
        {
          instanceId,
          fetched: item,
        } satisfies StoreInput,
      ),
    (item, outcome) => {
      if (outcome.ok) {
        stored.push({ fetched: item, file: outcome.value });
        status.stored++;
      } else {
        failures.push(failureFrom(item.slice, outcome.error, RETRY_POLICY.maxNumberOfAttempts));
        status.failed++;
      }
    },
  );

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
    // A zero-length durable timer ends this episode, so the entity signals above are committed
    // before the orchestration fails.
    yield context.df.createTimer(context.df.currentUtcDateTime);
    throw new Error(`Ingestion failed: all ${slices.length} slices failed. ${JSON.stringify(summary)}`);
  }
  return summary;
}
