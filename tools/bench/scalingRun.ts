/** Section 5: backfills of 7, 30, 90 and 365 days x 2 datasets, and the replay and memory goals. */
import { CHUNK_SLICES } from '../../shared/orchestration';
import { backfill, type BackfillResult } from './runs';
import { scalingTable } from './scaling';
import { DEFAULT_PARALLELISM, out, SCALE_DAYS, SCALE_LATENCY_MS, verdict } from './settings';
import { fixed } from './stats';

export interface ScalingFigures {
  maxHistoryEvents: number;
  replayedPerSlice: number;
  peakRssMb: number;
}

const perSlice = (r: BackfillResult | undefined): number => (r ? r.replayedEvents / r.slices : NaN);

export async function reportScaling(tmp: string): Promise<ScalingFigures> {
  const scale: { days: number; r: BackfillResult }[] = [];
  for (const days of SCALE_DAYS) {
    scale.push({
      days,
      r: await backfill(tmp, {
        name: `scale-${days}`,
        days,
        parallelism: DEFAULT_PARALLELISM,
        latencyMs: SCALE_LATENCY_MS,
      }),
    });
  }
  out(
    `5. Scaling: backfills x 2 datasets, ${SCALE_LATENCY_MS} ms per request, INGESTION_PARALLELISM ${DEFAULT_PARALLELISM}, ` +
      `chunks of ${CHUNK_SLICES} slices (embedded runtime: every episode replays the whole history, as on Azure)`,
  );
  out(scalingTable(scale.map(({ days, r }) => ({ days, ...r }))));
  const last = scale[scale.length - 1]?.r;
  const at30 = scale.find((x) => x.days === 30)?.r;
  const flat = perSlice(last) / perSlice(at30);
  out(
    `   replayed events per slice, ${SCALE_DAYS[SCALE_DAYS.length - 1]} days / 30 days = ${fixed(flat)}   ` +
      `goal flat (<= 1.2): ${verdict(flat <= 1.2)}`,
  );
  out();
  return {
    maxHistoryEvents: last?.maxHistoryEvents ?? NaN,
    replayedPerSlice: perSlice(last),
    peakRssMb: last?.peakRssMb ?? NaN,
  };
}
