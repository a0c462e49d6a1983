import type { OrchestrationContext, Task } from 'durable-functions';
import { FN } from '../constants';
import type { DatasetId } from '../datasets';
import { retryOptionsFor } from '../retry';
import type { FailureInfo } from '../types';
import type { ChunkDetail } from '../chunkDetail';
import type { Chunk } from './chunks';
import { landedOf, sliceReportsOf, type Landed } from './helpers';
import { ingestSlices } from './pipeline';

export interface ChunkInput {
  runId: string;
  slot: string;
  runTag?: string;
  chunk: Chunk;
}

/** What a chunk hands back: counts, the landed range and its first failures, never per-slice detail. */
export interface ChunkOutput {
  index: number;
  dataset: DatasetId;
  slices: number;
  fetched: number;
  stored: number;
  failed: number;
  records: number;
  landed: Landed;
  failures: FailureInfo[];
  detail: string;
}

/** Failures a chunk returns to its parent; its detail file holds every one. */
const CHUNK_FAILURES = 3;

/**
 * One chunk of a backfill: its slices one at a time, each store overlapping the next fetch (one
 * request in flight per chunk; the parent runs INGESTION_PARALLELISM chunks at once). The slices'
 * detail goes to a staging file the audit reads, so the parent's history stays small.
 */
export function* chunkOrchestration(context: OrchestrationContext): Generator<Task, ChunkOutput, unknown> {
  const input = context.df.getInput<ChunkInput>();
  const { chunk } = input;
  const result = yield* ingestSlices(context, chunk.slices, {
    runId: input.runId,
    slot: input.slot,
    ...(input.runTag ? { runTag: input.runTag } : {}),
    multiSlice: true,
    width: 1,
  });
  const detail: ChunkDetail = {
    runId: input.runId,
    chunk: `${chunk.dataset}-${chunk.index}`,
    slices: sliceReportsOf(chunk.slices, result),
    files: result.stored.map((s) => s.file),
    failures: result.failures,
  };
  const path = (yield context.df.callActivityWithRetry(
    FN.chunkActivity,
    retryOptionsFor(input.runId, `chunk-${detail.chunk}`),
    detail,
  )) as string;
  const landed = landedOf(chunk.slices, result)[0] ?? { dataset: chunk.dataset, until: null, whole: false };
  return {
    index: chunk.index,
    dataset: chunk.dataset,
    slices: chunk.slices.length,
    fetched: result.fetched.length,
    stored: result.stored.length,
    failed: result.failures.length,
    records: result.stored.reduce((n, s) => n + s.file.records, 0),
    landed,
    failures: result.failures.slice(0, CHUNK_FAILURES),
    detail: path,
  };
}
