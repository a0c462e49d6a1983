import { datasetSpec, type DatasetId } from '../datasets';
import type { Slice } from '../types';

/**
 * A chunk is one dataset's run of at most CHUNK_SLICES day-slices, ingested by one
 * sub-orchestration. Every episode of a chunk replays its whole history (about 8 events a
 * slice), so the replay work of a chunk grows with the square of its size: 4 slices keep it
 * near 30 events replayed per slice (npm run bench), 7 would cost about 55.
 */
export const CHUNK_SLICES = 4;

export interface Chunk {
  index: number;
  dataset: DatasetId;
  slices: Slice[];
}

/** `<parent id>-chunk-national-007`: browsable under the parent's id by prefix. */
export function chunkInstanceId(parentId: string, chunk: Pick<Chunk, 'index' | 'dataset'>): string {
  return `${parentId}-chunk-${datasetSpec(chunk.dataset).short}-${String(chunk.index).padStart(3, '0')}`;
}

export function isChunkId(instanceId: string): boolean {
  return /-chunk-[a-z0-9]+-\d{3,}$/.test(instanceId);
}

/** Splits `list` into `parts` contiguous runs whose lengths differ by one at most. */
function split<T>(list: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (let p = 0; p < parts; p++) {
    const size = Math.floor(list.length / parts) + (p < list.length % parts ? 1 : 0);
    out.push(list.slice(at, at + size));
    at += size;
  }
  return out;
}

/**
 * Chunks of at most CHUNK_SLICES slices, in a count that is a multiple of `parallelism` where
 * the slices allow it, and of near-equal sizes: a wave of `parallelism` chunks then ends at
 * once, and no lane idles while a longer chunk finishes.
 */
export function planChunks(slices: readonly Slice[], parallelism: number): Chunk[] {
  const byDataset = new Map<DatasetId, Slice[]>();
  for (const s of slices) byDataset.set(s.dataset, [...(byDataset.get(s.dataset) ?? []), s]);
  const lists = [...byDataset.entries()];
  const counts = lists.map(([, list]) => Math.ceil(list.length / CHUNK_SLICES));
  const total = counts.reduce((a, b) => a + b, 0);
  let extra = (parallelism - (total % parallelism)) % parallelism;
  for (let round = 0; extra > 0 && round < slices.length; round++) {
    for (const [i, [, list]] of lists.entries()) {
      if (extra === 0) break;
      if ((counts[i] ?? 0) < list.length) {
        counts[i] = (counts[i] ?? 0) + 1;
        extra--;
      }
    }
  }
  const chunks: Chunk[] = [];
  for (const [i, [dataset, list]] of lists.entries()) {
    let index = 0;
    for (const part of split(list, counts[i] ?? 1)) chunks.push({ index: index++, dataset, slices: part });
  }
  // Longest first: the waves then hold chunks of one size each.
  return chunks.sort((a, b) => b.slices.length - a.slices.length);
}
