import type { DatasetId } from '../datasets';
import type { Slice } from '../types';

/**
 * A chunk is one dataset's run of at most CHUNK_SLICES day-slices, ingested by one execution of a
 * lane sub-orchestration. Every episode replays its execution's whole history (about 8 events a
 * slice), so the replay work of a chunk grows with the square of its size: 4 slices keep it near
 * 30 events replayed per slice (npm run bench), 7 would cost about 55.
 */
export const CHUNK_SLICES = 4;

/**
 * Fetches a lane keeps scheduled (a stream, rounds.ts): twice what the request gate lets through
 * per lane (shared/rte/gate.ts), so that while one answer is parsed and stored and the lane's next
 * fetch is being scheduled, a fetch already waiting at the gate takes its place.
 */
export const LANE_FETCHES = 2;

export interface Chunk {
  /** Position among its dataset's chunks, in time order (names its detail file). */
  index: number;
  dataset: DatasetId;
  slices: Slice[];
}

/**
 * A lane is one sub-orchestration that streams its slices (LANE_FETCHES scheduled) and runs its
 * chunks one per execution (continue-as-new between them). The run keeps INGESTION_PARALLELISM lanes busy from
 * start to end: no lane waits for another, and none idles while a longer chunk finishes.
 */
export interface Lane {
  index: number;
  /** Per dataset, one contiguous part of its slices (lane i's part precedes lane i+1's). */
  chunks: Chunk[];
}

/** `<parent id>-chunk-lane-002`: browsable under the parent's id by prefix. */
export function laneInstanceId(parentId: string, lane: number): string {
  return `${parentId}-chunk-lane-${String(lane).padStart(3, '0')}`;
}

export function isChunkId(instanceId: string): boolean {
  return /-chunk-[a-z0-9]+-\d{3,}$/.test(instanceId);
}

/** Splits `list` into runs of the given sizes, in order. */
function cut<T>(list: readonly T[], sizes: readonly number[]): T[][] {
  let at = 0;
  return sizes.map((size) => list.slice(at, (at += size)));
}

/** `total` items over `parts` near-equal runs; the `total % parts` larger ones start at `first`. */
function sizesOf(total: number, parts: number, first: number): number[] {
  const extra = total % parts;
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + ((i - first + parts) % parts < extra ? 1 : 0),
  );
}

/** One dataset's part of a lane, as a window: the lane plans its chunks from it. */
export interface LanePart {
  dataset: DatasetId;
  from: string;
  to: string;
  /** The number of the part's first chunk among its dataset's chunks. */
  first: number;
}

/** A part's slices cut into near-equal chunks of at most CHUNK_SLICES, numbered from `first`. */
export function chunksOf(dataset: DatasetId, slices: readonly Slice[], first: number): Chunk[] {
  const count = Math.max(1, Math.ceil(slices.length / CHUNK_SLICES));
  return cut(slices, sizesOf(slices.length, count, 0))
    .filter((run) => run.length > 0)
    .map((run, i) => ({ index: first + i, dataset, slices: run }));
}

/** The lane's chunks as one window per dataset: what its input carries, a few hundred bytes. */
export function partsOf(lane: Lane): LanePart[] {
  const parts: LanePart[] = [];
  for (const c of lane.chunks) {
    const last = c.slices[c.slices.length - 1] as Slice;
    const part = parts.find((p) => p.dataset === c.dataset);
    if (part) part.to = last.to;
    else parts.push({ dataset: c.dataset, from: (c.slices[0] as Slice).from, to: last.to, first: c.index });
  }
  return parts;
}

/**
 * Deals every dataset's slices over `parallelism` lanes in contiguous parts of near-equal sizes
 * (the odd slices of one dataset go to other lanes than those of the previous one, so lanes differ
 * by one slice at most), each part cut into chunks of at most CHUNK_SLICES. Pure and deterministic.
 */
export function planLanes(slices: readonly Slice[], parallelism: number): Lane[] {
  const parts = Math.max(1, parallelism);
  const lanes: Lane[] = Array.from({ length: parts }, (_, index) => ({ index, chunks: [] }));
  const byDataset = new Map<DatasetId, Slice[]>();
  for (const s of slices) {
    const list = byDataset.get(s.dataset);
    if (list) list.push(s);
    else byDataset.set(s.dataset, [s]);
  }
  let first = 0;
  for (const [dataset, list] of byDataset) {
    let index = 0;
    for (const [i, part] of cut(list, sizesOf(list.length, parts, first)).entries()) {
      if (part.length === 0) continue;
      const chunks = chunksOf(dataset, part, index);
      lanes[i]?.chunks.push(...chunks);
      index += chunks.length;
    }
    first = (first + (list.length % parts)) % parts;
  }
  return lanes.filter((l) => l.chunks.length > 0);
}
