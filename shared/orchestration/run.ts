import type { OrchestrationContext, Task } from 'durable-functions';
import { EntityId } from 'durable-functions';
import { FN } from '../constants';
import { planSweep } from '../gapLedger';
import { ledgerFacts } from '../runFacts';
import { retryOptionsFor } from '../retry';
import { planSlices } from '../slicing';
import type {
  AuditInput,
  CustomStatus,
  IngestionInput,
  RecordRunOperation,
  RunProgress,
  RunStatus,
  RunSummary,
  Slice,
  FailureInfo,
} from '../types';
import type { ChunkInput, ChunkOutput } from './chunk';
import { CHUNK_SLICES, chunkInstanceId, planChunks } from './chunks';
import {
  auditInputOf,
  landedOf,
  runStatusOf,
  sliceReportsOf,
  summaryOf,
  SUMMARY_FAILURES,
  watermarksOf,
  type AuditOutput,
} from './helpers';
import { failureFrom, ingestSlices, type PipelineResult } from './pipeline';
import { landedUntil } from '../slicing';

type Gen<T> = Generator<Task, T, unknown>;

/** How far each dataset's slices were stored, in order (what the state entity's ledger starts from). */
function storedOf(slices: readonly Slice[], r: PipelineResult): ReturnType<typeof landedOf> {
  const reached = new Map(r.stored.map((s) => [s.fetched.slice.key, s.fetched.slice.to]));
  const byDataset = new Map<string, Slice[]>();
  for (const s of slices) byDataset.set(s.dataset, [...(byDataset.get(s.dataset) ?? []), s]);
  return [...byDataset].map(([, list]) => {
    const until = landedUntil(list, reached);
    const first = list[0] as Slice;
    return { dataset: first.dataset, until, whole: until !== null && until === list[list.length - 1]?.to };
  });
}

/** The audit, then one state signal per dataset; fails the run when nothing landed. */
function* finish(
  context: OrchestrationContext,
  input: IngestionInput,
  audit: AuditInput,
  counts: { records: number; files: number; failed: number },
  failures: readonly FailureInfo[],
  watermarks: Partial<Record<string, string>>,
  /** Where each dataset's slices were stored up to: what the state entity's gap ledger starts from. */
  storedUntil: Partial<Record<string, string>>,
  facts: (dataset: IngestionInput['datasets'][number]) => Partial<RecordRunOperation> = () => ({}),
): Gen<RunSummary> {
  const instanceId = context.df.instanceId;
  const out = (yield context.df.callActivityWithRetry(
    FN.auditActivity,
    retryOptionsFor(instanceId, 'audit'),
    audit,
  )) as AuditOutput;
  for (const dataset of input.datasets) {
    const op: RecordRunOperation = {
      runId: instanceId,
      status: audit.status,
      at: audit.finishedAt,
      landedUntil: storedUntil[dataset] ?? null,
      requests: out.requestsByDataset[dataset] ?? 0,
      ...facts(dataset),
    };
    context.df.signalEntity(new EntityId(FN.stateEntity, dataset), 'recordRun', op);
  }
  return summaryOf(audit.status, counts, failures, out, watermarks);
}

/** A run small enough for one pipeline (a scheduled run): no sub-orchestration. */
function* inlineRun(
  context: OrchestrationContext,
  input: IngestionInput,
  mainSlices: Slice[],
): Gen<RunSummary> {
  const sweepSlices = planSweep(input.sweep ?? []);
  const slices = [...mainSlices, ...sweepSlices];
  const instanceId = context.df.instanceId;
  const startedAt = context.df.currentUtcDateTime.toISOString();
  const status: CustomStatus = { stage: 'fetch', slices: slices.length, fetched: 0, stored: 0, failed: 0 };
  context.df.setCustomStatus({ ...status });
  const perDataset = new Set(slices.map((s) => s.dataset)).size;
  const result = yield* ingestSlices(context, slices, {
    runId: instanceId,
    slot: input.slot,
    ...(input.runTag ? { runTag: input.runTag } : {}),
    multiSlice: sweepSlices.length > 0 || mainSlices.length > perDataset,
    width: input.parallelism,
    deferAll: input.deferred !== undefined,
    onProgress: (c) => {
      Object.assign(status, {
        stage: c.storing ? 'store' : 'fetch',
        fetched: c.fetched,
        stored: c.stored,
        failed: c.failed,
      });
      context.df.setCustomStatus({ ...status });
    },
  });
  const failedOrDone = runStatusOf(result.stored.length, result.failures.length);
  const runStatus: RunStatus =
    failedOrDone === 'succeeded' && result.deferred.length > 0 ? 'deferred' : failedOrDone;
  status.stage = 'audit';
  context.df.setCustomStatus({ ...status });
  const audit = auditInputOf(
    input,
    { instanceId, startedAt, finishedAt: context.df.currentUtcDateTime.toISOString() },
    runStatus,
    {
      files: result.stored.map((s) => s.file),
      slices: sliceReportsOf(slices, result),
      failures: result.failures,
    },
  );
  Object.assign(audit, {
    ...(input.deferred ? { deferred: input.deferred } : {}),
    deferredSlices: result.deferred,
    ...(input.notes ? { notes: input.notes } : {}),
    ...(input.gaps ? { gaps: input.gaps } : {}),
  });
  const records = result.stored.reduce((n, s) => n + s.file.records, 0);
  const counts = { records, files: result.stored.length, failed: result.failures.length };
  const summary = yield* finish(
    context,
    input,
    audit,
    counts,
    result.failures,
    watermarksOf(landedOf(mainSlices, result)),
    // The state entity's ledger decides the watermark from what was stored and found incomplete.
    watermarksOf(storedOf(mainSlices, result)),
    (dataset) => ledgerFacts(dataset, result.stored, input, result.quotaUntil),
  );
  status.stage = 'done';
  context.df.setCustomStatus({ ...status });
  return summary;
}

function merge(progress: RunProgress, outputs: readonly ChunkOutput[]): RunProgress {
  const next = { ...progress, done: progress.done + outputs.length };
  for (const o of [...outputs].sort((a, b) => a.index - b.index)) {
    next.records += o.records;
    next.stored += o.stored;
    next.failed += o.failed;
    next.fetched += o.fetched;
    next.failures = [...next.failures, ...o.failures].slice(0, SUMMARY_FAILURES);
    next.landed = [...next.landed, o.landed];
  }
  // Only the running watermark of each dataset is carried: the last part, if it stopped or not.
  const marks = watermarksOf(next.landed);
  const stopped = new Set(next.landed.filter((l) => !l.whole).map((l) => l.dataset));
  next.landed = [...new Set(next.landed.map((l) => l.dataset))].map((dataset) => ({
    dataset,
    until: marks[dataset] ?? null,
    whole: !stopped.has(dataset),
  }));
  return next;
}

/**
 * A backfill: one wave of at most `parallelism` chunk sub-orchestrations per execution, then
 * continue-as-new with the counts so far, so no history grows with the backfill's length.
 */
function* chunkedRun(
  context: OrchestrationContext,
  input: IngestionInput,
  slices: Slice[],
): Gen<RunSummary | undefined> {
  const instanceId = context.df.instanceId;
  const chunks = planChunks(slices, input.parallelism);
  const progress: RunProgress = input.progress ?? {
    startedAt: context.df.currentUtcDateTime.toISOString(),
    done: 0,
    records: 0,
    stored: 0,
    failed: 0,
    fetched: 0,
    failures: [],
    landed: [],
  };
  const wave = chunks.slice(progress.done, progress.done + Math.max(1, input.parallelism));
  const status = (stage: CustomStatus['stage'], p: RunProgress): CustomStatus => ({
    stage,
    slices: slices.length,
    fetched: p.fetched,
    stored: p.stored,
    failed: p.failed,
    chunks: chunks.length,
    chunksDone: p.done,
  });
  context.df.setCustomStatus(status('fetch', progress));
  const tasks = wave.map((chunk) =>
    context.df.callSubOrchestrator(
      FN.chunkOrchestrator,
      {
        runId: instanceId,
        slot: input.slot,
        ...(input.runTag ? { runTag: input.runTag } : {}),
        chunk,
      } satisfies ChunkInput,
      chunkInstanceId(instanceId, chunk),
    ),
  );
  try {
    yield context.df.Task.all(tasks);
  } catch {
    // a failed chunk is settled on its own below
  }
  const outputs: ChunkOutput[] = [];
  for (const [i, chunk] of wave.entries()) {
    try {
      outputs.push((yield tasks[i] as Task) as ChunkOutput);
    } catch (error) {
      const failures = chunk.slices.map((s) => failureFrom(s, error, 1));
      outputs.push({
        index: chunk.index,
        dataset: chunk.dataset,
        slices: chunk.slices.length,
        fetched: 0,
        stored: 0,
        failed: chunk.slices.length,
        records: 0,
        landed: { dataset: chunk.dataset, until: null, whole: false },
        failures: failures.slice(0, 3),
        detail: '',
      });
    }
  }
  const next = merge(progress, outputs);
  if (next.done < chunks.length) {
    context.df.continueAsNew({ ...input, progress: next } satisfies IngestionInput);
    return undefined;
  }
  context.df.setCustomStatus(status('audit', next));
  const runStatus: RunStatus = runStatusOf(next.stored, next.failed);
  const audit = auditInputOf(
    input,
    { instanceId, startedAt: next.startedAt, finishedAt: context.df.currentUtcDateTime.toISOString() },
    runStatus,
    'chunked',
  );
  const marks = watermarksOf(next.landed);
  const summary = yield* finish(
    context,
    input,
    audit,
    { records: next.records, files: next.stored, failed: next.failed },
    next.failures,
    marks,
    marks,
    (dataset) => ledgerFacts(dataset, [], input, null),
  );
  context.df.setCustomStatus(status('done', next));
  return summary;
}

/** The run: one pipeline when it fits in one chunk, else chunk sub-orchestrations in waves. */
export function* ingestionOrchestration(context: OrchestrationContext): Gen<RunSummary | undefined> {
  const input = context.df.getInput<IngestionInput>();
  const slices = planSlices(input.datasets, input.from, input.to);
  const summary =
    // scheduled runs (a catch-up spans at most INGESTION_MAX_RUN_SPAN_DAYS) stay inline, so that
    // the gap ledger sees every window they checked
    (slices.length <= CHUNK_SLICES || input.trigger === 'timer') && !input.progress
      ? yield* inlineRun(context, input, slices)
      : yield* chunkedRun(context, input, slices);
  if (summary?.status === 'failed') {
    // The entity signals are sent with the failure (the extension processes every action).
    throw new Error(`Ingestion failed: all ${slices.length} slices failed. ${JSON.stringify(summary)}`);
  }
  return summary;
}
