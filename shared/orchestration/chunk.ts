import type { OrchestrationContext, Task } from 'durable-functions';
import { FN } from '../constants';
import type { ChunkDetail } from '../chunkDetail';
import { retryOptionsFor } from '../retry';
import { planSlices } from '../slicing';
import type { IngestionInput } from '../types';
import { chunksOf, LANE_FETCHES, partsOf, type Lane, type LanePart } from './chunks';
import { addPart, emptyLane, LANE_FAILURES, type LaneOutput } from './fold';
import { checkedWindowOf, landedOf, sliceReportsOf, storedOf } from './helpers';
import { ingestSlices } from './pipeline';

/** A lane's input: its part of each dataset as a window, which chunk is next, the totals so far. */
export interface LaneInput {
  runId: string;
  slot: string;
  runTag?: string;
  lane: number;
  parts: LanePart[];
  /** The chunk this execution ingests, by position in the lane. */
  at: number;
  done?: LaneOutput;
}

export function laneInputOf(input: IngestionInput, runId: string, lane: Lane): LaneInput {
  const tag = input.runTag ? { runTag: input.runTag } : {};
  return { runId, slot: input.slot, ...tag, lane: lane.index, parts: partsOf(lane), at: 0 };
}

/**
 * One lane of a backfill, one chunk per execution: its slices as a stream of LANE_FETCHES
 * scheduled fetches, each store overlapping the next fetches (the parent runs
 * INGESTION_PARALLELISM lanes; the request gate lets that many requests out at once). The
 * slices' detail goes to a staging file per chunk that the audit reads, then the lane continues
 * as new with its totals, so no execution's history grows with the backfill's length.
 */
export function* chunkOrchestration(
  context: OrchestrationContext,
): Generator<Task, LaneOutput | undefined, unknown> {
  const input = context.df.getInput<LaneInput>();
  const chunks = input.parts.flatMap((p) =>
    chunksOf(p.dataset, planSlices([p.dataset], p.from, p.to), p.first, p.lead),
  );
  const chunk = chunks[input.at];
  const done = input.done ?? emptyLane(input.lane);
  if (!chunk) return done;
  const result = yield* ingestSlices(context, chunk.slices, {
    runId: input.runId,
    slot: input.slot,
    ...(input.runTag ? { runTag: input.runTag } : {}),
    multiSlice: true,
    width: LANE_FETCHES,
    stream: true,
    backlog: chunks.slice(input.at + 1).reduce((n, c) => n + c.slices.length, 0),
  });
  const name = `${chunk.dataset}-${chunk.index}`;
  const detail: ChunkDetail = {
    runId: input.runId,
    chunk: name,
    slices: sliceReportsOf(chunk.slices, result),
    files: result.stored.map((s) => s.file),
    failures: result.failures,
  };
  yield context.df.callActivityWithRetry(
    FN.chunkActivity,
    retryOptionsFor(input.runId, `chunk-${name}`),
    detail,
  );
  const seen = result.stored.map((s) => s.fetched.rateLimitRemaining).filter((n) => n !== null);
  const rateLimit = seen[seen.length - 1];
  const next = addPart(
    done,
    {
      chunks: 1,
      slices: chunk.slices.length,
      fetched: result.fetched.length,
      stored: result.stored.length,
      failed: result.failures.length,
      records: result.stored.reduce((n, s) => n + s.file.records, 0),
      failures: result.failures,
      landed: landedOf(chunk.slices, result),
      reached: storedOf(chunk.slices, result),
      checked: [{ dataset: chunk.dataset, windows: result.stored.map((s) => checkedWindowOf(s.fetched)) }],
      rateLimitRemaining: rateLimit === undefined ? {} : { [chunk.dataset]: rateLimit },
    },
    LANE_FAILURES,
  );
  if (input.at + 1 < chunks.length) {
    context.df.continueAsNew({ ...input, at: input.at + 1, done: next } satisfies LaneInput);
    return undefined;
  }
  return next;
}
