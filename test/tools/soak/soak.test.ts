/**
 * A short soak through the autumn clock change: the real app in the embedded runtime on the
 * virtual clock, a scheduled run every 15 minutes for 12 hours, with the autumn hole and one
 * region missing one quarter for good (gap horizon 1 h so that both become gaps in the window).
 */
import { runSoak } from '../../../tools/soak/soak';

jest.setTimeout(240_000);

describe('soak across the autumn change', () => {
  it('lands every published quarter; the gaps are exactly the injected holes', async () => {
    const r = await runSoak({
      days: 0.5,
      start: '2026-10-24T20:00:00Z',
      env: { INGESTION_GAP_HORIZON_HOURS: '1', INGESTION_GAP_SWEEP_HOUR_UTC: '23' },
    });
    expect([r.runs, r.apiCalls]).toEqual([48, 96]);
    expect(r.datasets).toEqual([
      {
        dataset: 'eco2mix-regional-tr',
        published: 39,
        landed: 39,
        gapsOpen: 2,
        gapsPermanent: 0,
        longestWaitMinutes: 0,
      },
      {
        dataset: 'eco2mix-national-tr',
        published: 40,
        landed: 40,
        gapsOpen: 1,
        gapsPermanent: 0,
        longestWaitMinutes: 0,
      },
    ]);
  });
});
