import { EntityId, type DurableClient } from 'durable-functions';
import type { CoverageFetcher } from './clients';
import { DAY_MS, FN } from './constants';
import { datasetSpec } from './datasets';
import type { RunRequest } from './runRequest';
import { initialState } from './state';
import type { DatasetState, RecordCoverageOperation } from './types';

/** A dataset's first instant is asked again after this long (one coverage request a day). */
export const COVERAGE_TTL_MS = DAY_MS;

export interface RetentionRefusal {
  error: string;
  details: { field: 'from'; earliest: string; olderDataIn: string | null };
}

/**
 * Before a backfill: the first instant each dataset holds, from the state entity's cache or one
 * coverage request (recorded in the entity, counted against the budget). A backfill starting
 * before it is refused, naming where older data lives; a failed coverage request refuses
 * nothing (the backfill then reports what it finds).
 */
export async function checkRetention(
  client: DurableClient,
  req: Pick<RunRequest, 'from' | 'datasets'>,
  known: readonly DatasetState[],
  coverage: CoverageFetcher,
  nowMs: number,
): Promise<RetentionRefusal | null> {
  // The starter has just read every dataset's state: no second round trip to the entities.
  const states = req.datasets.map((d) => known.find((s) => s.dataset === d) ?? initialState(d));
  // The datasets' coverage requests go out together: each is a full round trip to the API.
  const earliest = await Promise.all(
    states.map(async (state): Promise<string | null> => {
      const cached = state.coverage;
      if (cached && nowMs - Date.parse(cached.checkedAt) < COVERAGE_TTL_MS) {
        return cached.earliest;
      }
      try {
        const found = await coverage(state.dataset);
        const op: RecordCoverageOperation = {
          earliest: found.earliest,
          at: new Date(nowMs).toISOString(),
          requests: found.requests,
        };
        await client.signalEntity(new EntityId(FN.stateEntity, state.dataset), 'recordCoverage', op);
        return found.earliest;
      } catch {
        return null; // a failed coverage request refuses nothing
      }
    }),
  );
  for (const [i, state] of states.entries()) {
    const first = earliest[i] ?? null;
    if (first !== null && Date.parse(req.from) < Date.parse(first)) {
      return {
        error: `range starts before the data ${state.dataset} holds`,
        details: {
          field: 'from',
          earliest: first,
          olderDataIn: datasetSpec(state.dataset).olderDataIn,
        },
      };
    }
  }
  return null;
}
