import { type DatasetId, SOURCE_NAME } from './constants';
import { ALL_DATASETS } from './datasets';
import type { Lake } from './lake/lake';
import { withChunkDetails } from './chunkDetail';
import { heartbeatPath, stagingDir } from './paths';
import { withCounters } from './sliceCounters';
import type { AuditInput, FailureInfo, GapSummary } from './types';

export interface Heartbeat {
  job_id: string;
  timestamp: string;
  status: 'success' | 'partial' | 'failure' | 'deferred';
  source: string;
  trigger: AuditInput['trigger'];
  slot: string;
  window: { from: string; to: string };
  datasets: DatasetId[];
  record_count: number;
  files: { path: string; bytes: number; sha256: string; records: number }[];
  attempts: Record<string, number>;
  api_requests: number;
  duration_ms: number;
  slices: AuditInput['slices'];
  warnings: string[];
  error_details: FailureInfo[];
  /** Why the run sent nothing (quota exhausted until a reset, budget spent), or null. */
  deferred: { until: string | null; reason: string } | null;
  /** Slices left for a later run by an exhausted quota (not failures). */
  deferred_slices: string[];
  /** The gap ledger (open and permanent gaps per dataset) as read when the run started. */
  gaps: GapSummary[];
}

const STATUS = { succeeded: 'success', partial: 'partial', failed: 'failure', deferred: 'deferred' } as const;

export async function buildHeartbeat(
  lake: Lake,
  input: AuditInput,
  sourceBaseUrl: string,
): Promise<Heartbeat> {
  // A chunked run's slices come from its chunk details, which took their counters in when each
  // chunk ended: the end of a backfill does not wait for one read per slice.
  const slices = input.chunked ? input.slices : await withCounters(lake, input.instanceId, input.slices);
  const attempts: Record<string, number> = Object.fromEntries(slices.map((s) => [s.key, s.attempts]));
  const errorDetails = input.failures.map((f) => {
    const slice = slices.find((s) => s.dataset === f.dataset && s.window.from === f.window.from);
    return slice && !f.code.startsWith('LAKE_') && !f.code.startsWith('STAGING_')
      ? { ...f, attempts: Math.max(f.attempts, slice.attempts) }
      : f;
  });
  const warnings: string[] = [...(input.notes ?? [])];
  if (input.deferred) warnings.push(`no request sent: ${input.deferred.reason}`);
  for (const s of slices) {
    const c = s.completeness;
    if (!c) continue;
    if (c.missingQuarterCount > 0) warnings.push(`${s.key}: ${c.missingQuarterCount} quarter(s) incomplete`);
    for (const w of c.schemaWarnings) warnings.push(`${s.key}: schema drift: ${w}`);
    if (c.duplicateWarning) warnings.push(`${s.key}: ${c.duplicateWarning}`);
  }
  return {
    job_id: input.instanceId,
    timestamp: input.finishedAt,
    status: STATUS[input.status],
    source: `${SOURCE_NAME} ${sourceBaseUrl}`,
    trigger: input.trigger,
    slot: input.slot,
    window: input.window,
    datasets: input.datasets,
    record_count: input.files.reduce((n, f) => n + f.records, 0),
    files: input.files.map(({ path, bytes, sha256, records }) => ({ path, bytes, sha256, records })),
    attempts,
    api_requests: slices.reduce((n, s) => n + s.requests, 0),
    duration_ms: Date.parse(input.finishedAt) - Date.parse(input.startedAt),
    slices,
    warnings,
    error_details: errorDetails,
    deferred: input.deferred ?? null,
    deferred_slices: input.deferredSlices ?? [],
    gaps: input.gaps ?? [],
  };
}

/**
 * Writes the run's heartbeat at a path fixed by the run slot (a re-executed audit overwrites
 * it), logs the same record as one line, then removes the run's staging leftovers.
 */
export async function writeHeartbeat(
  lake: Lake,
  input: AuditInput,
  sourceBaseUrl: string,
  log: (line: string) => void,
): Promise<{ heartbeat: string; requests: number; requestsByDataset: Partial<Record<DatasetId, number>> }> {
  const hb = await buildHeartbeat(lake, await withChunkDetails(lake, input), sourceBaseUrl);
  const path = heartbeatPath(Date.parse(input.slot), input.runTag);
  await lake.write(path, Buffer.from(`${JSON.stringify(hb, null, 2)}\n`), {
    contentType: 'application/json',
    metadata: { job_id: input.instanceId, status: hb.status, record_count: String(hb.record_count) },
  });
  log(`heartbeat ${JSON.stringify(hb)}`);
  await lake.deleteDirectory(stagingDir(input.instanceId));
  const requestsByDataset: Partial<Record<DatasetId, number>> = {};
  for (const d of ALL_DATASETS) {
    const n = hb.slices.filter((s) => s.dataset === d).reduce((sum, s) => sum + s.requests, 0);
    if (input.datasets.includes(d)) requestsByDataset[d] = n;
  }
  return { heartbeat: path, requests: hb.api_requests, requestsByDataset };
}
