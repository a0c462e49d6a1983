import { FAKE_DATE_ONLY, functionLogs, startHarness, type Harness } from './harness';

describe('a scheduled run through the embedded runtime', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it('lands one raw file per dataset and one heartbeat', async () => {
    await h.fireTimer();
    const [run] = h.host.engine.listInstances({ instanceIdPrefix: 'eco2mix-2' }).instances;
    expect(run?.instanceId).toMatch(/^eco2mix-\d{8}T\d{4}Z$/);
    const rec = await h.wait(run!.instanceId);
    expect(rec.status).toBe('Completed');
    const out = JSON.parse(rec.output!);
    expect([out.status, out.records, out.files, out.requests]).toEqual(['succeeded', 156, 2, 2]);
    const prod = h.files('rte/production');
    expect(prod).toHaveLength(2);
    expect(
      prod.every((p) =>
        /^rte\/production\/\d{4}\/\d{2}\/\d{2}\/eco2mix_(regional|national)_\d{8}T\d{4}00Z\.json$/.test(p),
      ),
    ).toBe(true);
    const served = h.odre.requests().filter((r) => r.endpoint === 'exports');
    expect(served).toHaveLength(2);
    const hb = JSON.parse(h.read(h.files('audit')[0]!).toString());
    expect([hb.job_id, hb.status, hb.record_count, hb.api_requests, hb.error_details]).toEqual([
      run!.instanceId,
      'success',
      156,
      2,
      [],
    ]);
    expect(h.files('_staging')).toEqual([]);
  });
});

describe('the timer firing twice for one slot', () => {
  let h: Harness;
  // mid-quarter, so every firing below falls in the same schedule slot
  const slotMs = Date.parse('2026-03-10T09:15:00Z');
  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now: slotMs + 7 * 60_000 });
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
    jest.useRealTimers();
  });

  it('starts one run only and logs why the second firing did not start another', async () => {
    await h.fireTimer(false);
    await h.fireTimer(true);
    const id = 'eco2mix-20260310T0915Z';
    const rec = await h.wait(id);
    expect(rec.status).toBe('Completed');
    await h.fireTimer(true);

    expect(h.host.engine.listInstances().instances.map((i) => i.instanceId)).toEqual([id]);
    expect(h.odre.requests().filter((r) => r.endpoint === 'exports')).toHaveLength(2);
    expect(JSON.parse(rec.input!)).toMatchObject({
      trigger: 'timer',
      slot: '2026-03-10T09:15:00Z',
      from: '2026-03-10T06:15:00Z',
      to: '2026-03-10T09:15:00Z',
      datasets: ['eco2mix-regional-tr', 'eco2mix-national-tr'],
      parallelism: 4,
    });

    const lines = functionLogs(h, 'timerStarter');
    expect(lines).toEqual([
      'timer fired for slot 2026-03-10T09:15:00Z (isPastDue=false)',
      `started ${id} for [2026-03-10T06:15:00Z, 2026-03-10T09:15:00Z)`,
      'timer fired for slot 2026-03-10T09:15:00Z (isPastDue=true)',
      expect.stringMatching(
        new RegExp(`^not starting: instance ${id} is already (Pending|Running|Completed)$`),
      ),
      'timer fired for slot 2026-03-10T09:15:00Z (isPastDue=true)',
      `not starting: instance ${id} is already Completed`,
    ]);
    expect(h.files('audit')).toEqual(['audit/ingestion/2026/03/10/heartbeat_20260310T091500Z.json']);
  });

  it('two firings at once for the next slot: one run, and the loser logs why instead of failing', async () => {
    jest.setSystemTime(slotMs + 15 * 60_000 + 7 * 60_000);
    const before = functionLogs(h, 'timerStarter').length;
    h.odre.resetLog();
    const results = await Promise.allSettled([h.fireTimer(false), h.fireTimer(false)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const id = 'eco2mix-20260310T0930Z';
    expect((await h.wait(id)).status).toBe('Completed');
    expect(h.host.engine.listInstances().instances.map((i) => i.instanceId)).toEqual([
      'eco2mix-20260310T0915Z',
      id,
    ]);
    expect(h.odre.requests().filter((r) => r.endpoint === 'exports')).toHaveLength(2);
    const lines = functionLogs(h, 'timerStarter').slice(before);
    expect(lines.filter((l) => l.startsWith('timer fired for slot 2026-03-10T09:30:00Z'))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith(`started ${id} `))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('not starting: '))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^not starting: instance ${id} (is already|was started concurrently and is) (Pending|Running|Completed)$`,
        ),
      ),
    ]);
  });
});
