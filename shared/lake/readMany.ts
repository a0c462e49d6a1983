import PQueue from 'p-queue';

/**
 * Reads the lake a few files at a time, results in input order. A backfill's audit reads one
 * staging file per slice and per chunk (over 900 for a year of both datasets): one at a time, each
 * waits for the one before; all at once, they would be as many requests to ADLS at the same instant.
 */
export const LAKE_READS_AT_ONCE = 16;

export function readMany<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const queue = new PQueue({ concurrency: LAKE_READS_AT_ONCE });
  return Promise.all(items.map((item) => queue.add(() => read(item))));
}
