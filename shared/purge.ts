import type { DurableClient } from 'durable-functions';
import type { Config } from './config';
import { iso } from './time';

/** What the purge deletes: finished instances only. Entities (the watermarks) are never finished. */
export const PURGED_STATUSES = ['Completed', 'Failed', 'Terminated'] as const;

/**
 * Deletes the history of finished instances created in [epoch, now − retention). Azure refuses a
 * purge without `createdTimeFrom` (400), so the range always names both ends.
 */
export async function purgeFinishedInstances(
  client: Pick<DurableClient, 'purgeInstanceHistoryBy'>,
  config: Pick<Config, 'historyRetentionMs'>,
  nowMs: number,
  log: (line: string) => void,
): Promise<{ from: string; to: string; deleted: number }> {
  const to = nowMs - config.historyRetentionMs;
  const from = 0;
  const result = await client.purgeInstanceHistoryBy({
    createdTimeFrom: new Date(from),
    createdTimeTo: new Date(to),
    runtimeStatus: [...PURGED_STATUSES] as never,
  });
  const deleted = result.instancesDeleted;
  log(`purged ${deleted} finished instance(s) created in [${iso(from)}, ${iso(to)})`);
  return { from: iso(from), to: iso(to), deleted };
}
