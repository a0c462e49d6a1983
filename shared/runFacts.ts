import type { DatasetId } from './constants';
import type { FetchResult, IngestionInput, RecordRunOperation, StoredFile } from './types';

type Fetched = Extract<FetchResult, { ok: true }>;

/**
 * What one run tells the state entity about a dataset besides its watermark: the windows it
 * stored with their incomplete instants (the gap ledger), the gap policy, an exhausted quota,
 * the last X-RateLimit-Remaining seen, and whether it swept.
 */
export function ledgerFacts(
  dataset: DatasetId,
  stored: readonly { fetched: Fetched; file: StoredFile }[],
  input: IngestionInput,
  quotaUntil: string | null,
): Pick<
  RecordRunOperation,
  'checked' | 'gapPolicy' | 'quotaExhaustedUntil' | 'rateLimitRemaining' | 'swept'
> {
  const mine = stored.filter((s) => s.fetched.slice.dataset === dataset);
  let rateLimitRemaining: number | null = null;
  for (const s of mine)
    if (s.fetched.rateLimitRemaining !== null) rateLimitRemaining = s.fetched.rateLimitRemaining;
  return {
    checked: mine.map((s) => ({
      from: s.fetched.slice.from,
      to: s.fetched.slice.to,
      incomplete: s.fetched.completeness.incomplete,
    })),
    ...(input.gapPolicy ? { gapPolicy: input.gapPolicy } : {}),
    quotaExhaustedUntil: quotaUntil,
    rateLimitRemaining,
    swept: input.sweep !== undefined,
  };
}
