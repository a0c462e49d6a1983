import type { DatasetId } from '../constants';
import { landedUntil } from '../slicing';
import type {
  AuditInput,
  CheckedWindow,
  FailureInfo,
  IngestionInput,
  RunStatus,
  RunSummary,
  Slice,
  SliceReport,
} from '../types';
import type { Fetched, PipelineResult } from './pipeline';

export interface AuditOutput {
  heartbeat: string;
  requests: number;
  requestsByDataset: Partial<Record<DatasetId, number>>;
}

/** How far one dataset's slices landed, in order: the watermark may advance over it and no further. */
export interface Landed {
  dataset: DatasetId;
  until: string | null;
  /** Every slice landed whole: the next slices of the dataset may extend the watermark. */
  whole: boolean;
}

export function landedOf(slices: readonly Slice[], r: PipelineResult): Landed[] {
  const byDataset = new Map<DatasetId, Slice[]>();
  for (const s of slices) byDataset.set(s.dataset, [...(byDataset.get(s.dataset) ?? []), s]);
  const stored = new Map(
    r.stored.map((s) => [s.fetched.slice.key, s.fetched.completeness.firstMissing ?? s.fetched.slice.to]),
  );
  return [...byDataset].map(([dataset, list]) => {
    const until = landedUntil(list, stored);
    return { dataset, until, whole: until !== null && until === list[list.length - 1]?.to };
  });
}

/** Joins the landed runs of consecutive parts (chunks in time order) into one watermark per dataset. */
export function watermarksOf(parts: readonly Landed[]): Partial<Record<DatasetId, string>> {
  const marks: Partial<Record<DatasetId, string>> = {};
  const stopped = new Set<DatasetId>();
  for (const part of parts) {
    if (stopped.has(part.dataset)) continue;
    if (part.until !== null) marks[part.dataset] = part.until;
    if (!part.whole) stopped.add(part.dataset);
  }
  return marks;
}

/** One stored slice as the gap ledger sees it: its window and what completeness found missing. */
export function checkedWindowOf(f: Fetched): CheckedWindow {
  return { from: f.slice.from, to: f.slice.to, incomplete: f.completeness.incomplete };
}

/** How far each dataset's slices were stored, in order (what the state entity's ledger starts from). */
export function storedOf(slices: readonly Slice[], r: PipelineResult): Landed[] {
  const reached = new Map(r.stored.map((s) => [s.fetched.slice.key, s.fetched.slice.to]));
  const byDataset = new Map<string, Slice[]>();
  for (const s of slices) byDataset.set(s.dataset, [...(byDataset.get(s.dataset) ?? []), s]);
  return [...byDataset].map(([, list]) => {
    const until = landedUntil(list, reached);
    const first = list[0] as Slice;
    return { dataset: first.dataset, until, whole: until !== null && until === list[list.length - 1]?.to };
  });
}

export function runStatusOf(stored: number, failed: number): RunStatus {
  return failed === 0 ? 'succeeded' : stored === 0 ? 'failed' : 'partial';
}

export function sliceReportsOf(slices: readonly Slice[], r: PipelineResult): SliceReport[] {
  const fetched = new Map(r.fetched.map((f) => [f.slice.key, f]));
  const stored = new Map(r.stored.map((s) => [s.fetched.slice.key, s.file.path]));
  return slices.map((s) => {
    const f = fetched.get(s.key);
    return {
      key: s.key,
      dataset: s.dataset,
      window: { from: s.from, to: s.to },
      attempts: f?.attempts ?? 0,
      requests: f?.requests ?? 0,
      file: stored.get(s.key) ?? null,
      completeness: f?.completeness ?? null,
    };
  });
}

/** The audit's input; a chunked run leaves files, slices and failures in the chunks' staging files. */
export function auditInputOf(
  run: IngestionInput,
  ids: { instanceId: string; startedAt: string; finishedAt: string },
  status: RunStatus,
  detail: Pick<AuditInput, 'files' | 'slices' | 'failures'> | 'chunked',
): AuditInput {
  return {
    instanceId: ids.instanceId,
    ...(run.runTag ? { runTag: run.runTag } : {}),
    trigger: run.trigger,
    slot: run.slot,
    window: { from: run.from, to: run.to },
    datasets: run.datasets,
    startedAt: ids.startedAt,
    finishedAt: ids.finishedAt,
    status,
    ...(detail === 'chunked' ? { files: [], slices: [], failures: [], chunked: true } : detail),
  };
}

/** The first failures a summary shows; the heartbeat holds them all. */
export const SUMMARY_FAILURES = 10;

export function summaryOf(
  status: RunStatus,
  counts: { records: number; files: number; failed: number },
  failures: readonly FailureInfo[],
  audit: AuditOutput,
  watermarks: Partial<Record<DatasetId, string>>,
): RunSummary {
  return {
    status,
    records: counts.records,
    files: counts.files,
    failures: failures.slice(0, SUMMARY_FAILURES),
    ...(counts.failed > SUMMARY_FAILURES ? { failureCount: counts.failed } : {}),
    heartbeat: audit.heartbeat,
    watermarks,
    requests: audit.requests,
  };
}

/** The audit's input of an inline run: every file, slice and failure, and why slices were left for later. */
export function inlineAuditOf(
  run: IngestionInput,
  ids: { instanceId: string; startedAt: string; finishedAt: string },
  slices: readonly Slice[],
  result: PipelineResult,
): AuditInput {
  const failedOrDone = runStatusOf(result.stored.length, result.failures.length);
  const status: RunStatus =
    failedOrDone === 'succeeded' && result.deferred.length > 0 ? 'deferred' : failedOrDone;
  return {
    ...auditInputOf(run, ids, status, {
      files: result.stored.map((s) => s.file),
      slices: sliceReportsOf(slices, result),
      failures: result.failures,
    }),
    ...(run.deferred ? { deferred: run.deferred } : {}),
    deferredSlices: result.deferred,
    ...(run.notes ? { notes: run.notes } : {}),
    ...(run.gaps ? { gaps: run.gaps } : {}),
  };
}
