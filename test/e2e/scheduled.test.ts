import { startHarness, type Harness } from './harness';

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
