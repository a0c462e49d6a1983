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
  FailureInfo,
  IngestionInput,
  RecordRunOperation,
  RunSummary,
  Slice,
} from '../types';
import { laneInputOf } from './chunk';
import { CHUNK_SLICES, laneInstanceId, planLanes } from './chunks';
import { addPart, emptyLane, failedLane, laneFactsOf, laneStatusOf, type LaneOutput } from './fold';
import {
  auditInputOf,
  landedOf,
  runStatusOf,
  inlineAuditOf,
  storedOf,
  summaryOf,
  SUMMARY_FAILURES,
  watermarksOf,
  type AuditOutput,
} from './helpers';
import { ingestSlices } from './pipeline';
import { settle } from './rounds';

type Gen<T> = Generator<Task, T, unknown>;

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
  status.stage = 'audit';
  context.df.setCustomStatus({ ...status });
  const finishedAt = context.df.currentUtcDateTime.toISOString();
  const audit = inlineAuditOf(input, { instanceId, startedAt, finishedAt }, slices, result);
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

/**
 * A backfill: INGESTION_PARALLELISM lane sub-orchestrations started at once, each running its
 * chunks one per execution, so every lane stays busy to its end and the run's own history holds
 * a few events per lane whatever the backfill's length.
 */
function* chunkedRun(context: OrchestrationContext, input: IngestionInput, slices: Slice[]): Gen<RunSummary> {
  const instanceId = context.df.instanceId;
  const startedAt = context.df.currentUtcDateTime.toISOString();
  const lanes = planLanes(slices, input.parallelism);
  const chunks = lanes.reduce((n, l) => n + l.chunks.length, 0);
  const status = (stage: CustomStatus['stage'], p: LaneOutput): CustomStatus =>
    laneStatusOf(stage, slices.length, chunks, p);
  context.df.setCustomStatus(status('fetch', emptyLane(-1)));
  const tasks = lanes.map((lane) =>
    context.df.callSubOrchestrator(
      FN.chunkOrchestrator,
      laneInputOf(input, instanceId, lane),
      laneInstanceId(instanceId, lane.index),
    ),
  );
  try {
    yield context.df.Task.all(tasks);
  } catch {
    // a failed lane is settled on its own below
  }
  let total = emptyLane(-1);
  for (const [i, lane] of lanes.entries()) {
    const outcome = yield* settle<LaneOutput>(tasks[i] as Task);
    total = addPart(total, outcome.ok ? outcome.value : failedLane(lane, outcome.error), SUMMARY_FAILURES);
  }
  context.df.setCustomStatus(status('audit', total));
  const finishedAt = context.df.currentUtcDateTime.toISOString();
  const audit = auditInputOf(
    input,
    { instanceId, startedAt, finishedAt },
    runStatusOf(total.stored, total.failed),
    'chunked',
  );
  const summary = yield* finish(
    context,
    input,
    audit,
    { records: total.records, files: total.stored, failed: total.failed },
    total.failures,
    watermarksOf(total.landed),
    // as for an inline run: the entity's ledger holds the watermark at what completeness found missing
    watermarksOf(total.reached),
    (dataset) => ({ ...ledgerFacts(dataset, [], input, null), ...laneFactsOf(total, dataset) }),
  );
  context.df.setCustomStatus(status('done', total));
  return summary;
}

/** The run: one pipeline when it fits in one chunk, else lane sub-orchestrations. */
export function* ingestionOrchestration(context: OrchestrationContext): Gen<RunSummary> {
  const input = context.df.getInput<IngestionInput>();
  const slices = planSlices(input.datasets, input.from, input.to);
  const summary =
    // scheduled runs (a catch-up spans at most INGESTION_MAX_RUN_SPAN_DAYS) stay inline, so that
    // the gap ledger sees every window they checked
    slices.length <= CHUNK_SLICES || input.trigger === 'timer'
      ? yield* inlineRun(context, input, slices)
      : yield* chunkedRun(context, input, slices);
  if (summary.status === 'failed') {
    // The entity signals are sent with the failure (the extension processes every action).
    throw new Error(`Ingestion failed: all ${slices.length} slices failed. ${JSON.stringify(summary)}`);
  }
  return summary;
}
