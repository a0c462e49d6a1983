import { readCounter } from './fetchSlice';
import type { Lake } from './lake/lake';
import { readMany } from './lake/readMany';
import { attemptsPath } from './paths';
import type { SliceReport } from './types';

/**
 * The slices with the attempts and requests of their counters in staging: the only record of
 * the retries the host made (a retried activity's result counts its own attempt only).
 */
export async function withCounters(
  lake: Lake,
  runId: string,
  slices: readonly SliceReport[],
): Promise<SliceReport[]> {
  const counters = await readMany(slices, (s) => readCounter(lake, attemptsPath(runId, s.key)));
  return slices.map((s, i) => {
    const counter = counters[i] ?? { attempts: 0, requests: 0 };
    return {
      ...s,
      attempts: Math.max(counter.attempts, s.attempts),
      requests: Math.max(counter.requests, s.requests),
    };
  });
}
