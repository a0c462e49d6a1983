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

/** `total` items over `parts` near-equal runs, the `total % parts` larger ones first. */
function sizesOf(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** One dataset's part of a lane, as a window: the lane plans its chunks from it. */
export interface LanePart {
  dataset: DatasetId;
  from: string;
  to: string;
  /** The number of the part's first chunk among its dataset's chunks. */
  first: number;
  /** The size of the part's first chunk, when shorter than CHUNK_SLICES (chunksOf). */
  lead?: number;
}

/**
 * The size of lane `lane`'s first chunk among `lanes`: CHUNK_SLICES, CHUNK_SLICES - 1, ... down to
 * 1. Lanes fetch at the same pace, so with equal chunks they would all end a chunk at once, and
 * while a lane is between chunks (its last store, the chunk's detail, continue-as-new) it has no
 * fetch waiting at the gate: with every lane there at once, the gate's places stay empty (the
 * bench's request timeline showed 250 ms with at most one request in flight, three times in a
 * 30-day backfill). Staggered, one lane is between chunks while the others' fetches fill in.
 */
export function leadOf(lane: number, lanes: number): number {
  return CHUNK_SLICES - Math.floor((lane * CHUNK_SLICES) / Math.max(1, lanes));
}

/**
 * A part's slices cut into chunks numbered from `first`: a first chunk of `lead` slices, then
 * chunks of CHUNK_SLICES, the last one shorter.
 */
export function chunksOf(
  dataset: DatasetId,
  slices: readonly Slice[],
  first: number,
  lead: number = CHUNK_SLICES,
): Chunk[] {
  const head = Math.min(CHUNK_SLICES, Math.max(1, Math.floor(lead)));
  const sizes = [head];
  for (let left = slices.length - head; left > 0; left -= CHUNK_SLICES)
    sizes.push(Math.min(CHUNK_SLICES, left));
  return cut(slices, sizes)
    .filter((run) => run.length > 0)
    .map((run, i) => ({ index: first + i, dataset, slices: run }));
}

/** The lane's chunks as one window per dataset: what its input carries, a few hundred bytes. */
export function partsOf(lane: Lane): LanePart[] {
  const datasets = [...new Set(lane.chunks.map((c) => c.dataset))];
  return datasets.map((dataset): LanePart => {
    const mine = lane.chunks.filter((c) => c.dataset === dataset);
    const head = mine[0] as Chunk;
    const tail = mine[mine.length - 1] as Chunk;
    const part: LanePart = {
      dataset,
      from: (head.slices[0] as Slice).from,
      to: (tail.slices[tail.slices.length - 1] as Slice).to,
      first: head.index,
    };
    if (mine.length > 1 && head.slices.length < CHUNK_SLICES) part.lead = head.slices.length;
    return part;
  });
}

/**
 * Deals the slices, dataset after dataset in time order, over `parallelism` lanes in contiguous
 * runs of near-equal sizes (lanes differ by one slice at most). A lane's run is one part per
 * dataset it touches, cut into chunks of at most CHUNK_SLICES; its first chunk is `leadOf` long,
 * so that lanes end their chunks at different times. Pure and deterministic.
 */
export function planLanes(slices: readonly Slice[], parallelism: number): Lane[] {
  const count = Math.max(1, parallelism);
  const ordered = [...byDatasetOf(slices).values()].flat();
  const next = new Map<DatasetId, number>();
  return cut(ordered, sizesOf(ordered.length, count))
    .map((run, index): Lane => {
      const chunks: Chunk[] = [];
      for (const [dataset, part] of byDatasetOf(run)) {
        const first = next.get(dataset) ?? 0;
        const mine = chunksOf(
          dataset,
          part,
          first,
          chunks.length === 0 ? leadOf(index, count) : CHUNK_SLICES,
        );
        next.set(dataset, first + mine.length);
        chunks.push(...mine);
      }
      return { index, chunks };
    })
    .filter((l) => l.chunks.length > 0);
}

/** Slices per dataset, in their order. */
function byDatasetOf(run: readonly Slice[]): Map<DatasetId, Slice[]> {
  const parts = new Map<DatasetId, Slice[]>();
  for (const s of run) {
    const list = parts.get(s.dataset);
    if (list) list.push(s);
    else parts.set(s.dataset, [s]);
  }
  return parts;
}
