import type { Lake } from './lake/lake';
import { readMany } from './lake/readMany';
import { chunkDetailDir, chunkDetailPath } from './paths';
import { withCounters } from './sliceCounters';
import type { AuditInput, FailureInfo, SliceReport, StoredFile } from './types';

/** The per-slice record of one chunk, kept in staging until the audit folds it into the heartbeat. */
export interface ChunkDetail {
  runId: string;
  chunk: string;
  slices: SliceReport[];
  files: StoredFile[];
  failures: FailureInfo[];
}

/**
 * Written whole under a name fixed by the chunk (a re-executed activity overwrites it), with the
 * slices' attempt counters folded in: the chunk's fetches are over.
 */
export async function writeChunkDetail(lake: Lake, detail: ChunkDetail): Promise<string> {
  const path = chunkDetailPath(detail.runId, detail.chunk);
  const slices = await withCounters(lake, detail.runId, detail.slices);
  await lake.write(path, Buffer.from(JSON.stringify({ ...detail, slices })), {
    contentType: 'application/json',
    metadata: { job_id: detail.runId },
  });
  return path;
}

/** A chunked run's audit input with the files, slices and failures of every chunk, in time order. */
export async function withChunkDetails(lake: Lake, input: AuditInput): Promise<AuditInput> {
  if (!input.chunked) return input;
  const bodies = await readMany(await lake.list(chunkDetailDir(input.instanceId)), (path) => lake.read(path));
  const details = bodies.flatMap((body) => (body ? [JSON.parse(body.toString('utf8')) as ChunkDetail] : []));
  const slices = details.flatMap((d) => d.slices);
  const order = (a: { window: { from: string } }, b: { window: { from: string } }): number =>
    a.window.from.localeCompare(b.window.from);
  slices.sort((a, b) => a.dataset.localeCompare(b.dataset) || order(a, b));
  const files = details.flatMap((d) => d.files).sort((a, b) => a.path.localeCompare(b.path));
  const failures = details
    .flatMap((d) => d.failures)
    .sort((a, b) => a.dataset.localeCompare(b.dataset) || order(a, b));
  return { ...input, slices, files, failures };
}
