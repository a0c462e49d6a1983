/**
 * A scripted history for the coverage tests and the browser test, on the harness's own clock:
 * a two-day backfill (with one regional quarter the source never serves), a first scheduled run,
 * a six-hour outage and the catch-up run that follows it (with another unserved quarter, where the
 * regional watermark then stops), a failed run (the source answers 503), and one more run.
 */
import { FAKE_DATE_ONLY, runScheduledSlot, startHarness, type Harness } from '../../e2e/harness';

export const S0 = Date.parse('2026-11-10T03:00:00Z');
export const HOUR = 3_600_000;
export const QUARTER = 15 * 60_000;
export const BACKFILL = { from: '2026-11-08T00:00:00Z', to: '2026-11-10T00:00:00Z' };
/** Quarters the stand-in leaves out for region 11 of the regional dataset. */
export const HOLES = ['2026-11-09T10:00:00Z', '2026-11-10T05:00:00Z'];
export const NOW = S0 + 6 * HOUR + 40 * 60_000; // 09:40Z, after the last run

export interface Scenario {
  h: Harness;
  backfillId: string;
  failedId: string;
  runIds: string[];
}

export async function startScenario(): Promise<Scenario> {
  jest.useFakeTimers({ ...FAKE_DATE_ONLY, now: S0 + 60_000 });
  const h = await startHarness({
    now: S0 + 60_000,
    odre: {
      // The scripted history assumes every due quarter is published (no feed lag).
      publishDelayMs: 0,
      gaps: HOLES.map((from) => ({ dataset: 'eco2mix-regional-tr' as const, from, regions: ['11'] })),
    },
  });
  const started = await h.startRun(BACKFILL);
  const backfillId = String(started.body.id);
  await h.wait(backfillId);
  const runIds = [backfillId];
  const slot = async (ms: number): Promise<string> => {
    const rec = await runScheduledSlot(h, ms);
    runIds.push(rec.instanceId);
    return rec.instanceId;
  };
  await slot(S0);
  // host down from 03:15 to 08:45: no run; the 09:00 run catches up from the watermark
  await slot(S0 + 6 * HOUR);
  h.odre.failUntilCleared(503);
  const failedId = await slot(S0 + 6 * HOUR + QUARTER);
  h.odre.clearFaults();
  await slot(S0 + 6 * HOUR + 2 * QUARTER);
  jest.setSystemTime(NOW);
  return { h, backfillId, failedId, runIds };
}

export async function stopScenario(s: Scenario): Promise<void> {
  await s.h.stop();
  jest.useRealTimers();
}
