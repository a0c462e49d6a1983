import { PURGED_STATUSES, purgeFinishedInstances } from '../../shared/purge';
import { startHarness, type Harness } from '../e2e/harness';
import { NATIONAL, REGIONAL } from '../faults/support';

const NOW = Date.parse('2026-11-27T06:22:41Z');
const DAY = 86_400_000;

describe('purge of finished instances (real DurableClient against the embedded runtime)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: NOW });
  });
  afterAll(async () => h.stop());

  it('deletes finished runs created before the retention, with both ends of the range, and never the entities', async () => {
    const runs = await Promise.all([h.startRun(), h.startRun()]);
    const ids = runs.map((r) => String(r.body.id));
    await Promise.all(ids.map((id) => h.wait(id)));
    const client = h.host.client();
    const calls: unknown[] = [];
    const recording = {
      purgeInstanceHistoryBy: (filter: Parameters<typeof client.purgeInstanceHistoryBy>[0]) => {
        calls.push(filter);
        return client.purgeInstanceHistoryBy(filter);
      },
    };
    const lines: string[] = [];
    const config = { historyRetentionMs: 30 * DAY };

    const early = await purgeFinishedInstances(recording, config, NOW + 29 * DAY, (l) => lines.push(l));
    expect(early.deleted).toBe(0);
    expect(ids.map((id) => h.host.engine.getInstance(id)?.status)).toEqual(['Completed', 'Completed']);

    const due = await purgeFinishedInstances(recording, config, NOW + 31 * DAY, (l) => lines.push(l));
    expect(due).toEqual({ from: '1970-01-01T00:00:00Z', to: '2026-11-28T06:22:41Z', deleted: 2 });
    expect(ids.map((id) => h.host.engine.getInstance(id))).toEqual([undefined, undefined]);
    expect(calls[1]).toEqual({
      createdTimeFrom: new Date(0),
      createdTimeTo: new Date(NOW + DAY),
      runtimeStatus: [...PURGED_STATUSES],
    });
    expect(lines[1]).toBe(
      'purged 2 finished instance(s) created in [1970-01-01T00:00:00Z, 2026-11-28T06:22:41Z)',
    );
    // the watermarks live on in the state entities
    const before = [h.state(REGIONAL)?.lastRunId, h.state(NATIONAL)?.lastRunId];
    expect(before.every((id) => ids.includes(String(id)))).toBe(true);
    expect(h.host.engine.listEntities().length).toBe(2);
  });
});
