/**
 * A manual two-day backfill through the real HTTP starter: the check-status answer, the fan-out
 * over four slices, and Bronze files that are byte for byte what the source served.
 */
import { SUITE_MIDNIGHT } from '../setup/epoch';
import { createHash } from 'node:crypto';
import { EventType } from '../../runtime/durable/types';
import { startHarness, type Harness } from './harness';
import { basicIso, iso } from '../../shared/time';

const DAY_MS = 86_400_000;
const REGIONAL = 'eco2mix-regional-tr';
const NATIONAL = 'eco2mix-national-tr';

describe('a manual two-day backfill', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it('answers 202 with the check-status payload, fans out and lands every slice byte for byte', async () => {
    const midnight = SUITE_MIDNIGHT;
    const from = midnight - 3 * DAY_MS;
    const to = from + 2 * DAY_MS;

    const started = await h.startRun({ from: iso(from), to: iso(to) });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    expect(id).toMatch(
      new RegExp(`^eco2mix-backfill-${basicIso(from).slice(0, 13)}Z-${basicIso(to).slice(0, 13)}Z-`),
    );
    for (const key of [
      'statusQueryGetUri',
      'sendEventPostUri',
      'terminatePostUri',
      'purgeHistoryDeleteUri',
      'restartPostUri',
      'suspendPostUri',
      'resumePostUri',
    ]) {
      expect(started.body[key]).toEqual(
        expect.stringContaining(`/runtime/webhooks/durabletask/instances/${id}`),
      );
    }

    const rec = await h.wait(id);
    expect(rec.status).toBe('Completed');

    // the status URI handed to the caller works, and reports the finished run
    const status = await fetch(started.body.statusQueryGetUri as string);
    expect(status.status).toBe(200);
    const statusBody = (await status.json()) as Record<string, unknown>;
    expect([statusBody.instanceId, statusBody.name, statusBody.runtimeStatus]).toEqual([
      id,
      'ingestEco2mix',
      'Completed',
    ]);
    expect(statusBody.input).toMatchObject({ trigger: 'manual', from: iso(from), to: iso(to) });
    expect(statusBody.customStatus).toEqual({ stage: 'done', slices: 4, fetched: 4, stored: 4, failed: 0 });

    const out = JSON.parse(rec.output!);
    expect([out.status, out.files, out.records, out.requests, out.failures]).toEqual([
      'succeeded',
      4,
      2 * 1152 + 2 * 96,
      4,
      [],
    ]);
    expect(out.watermarks).toEqual({ [REGIONAL]: iso(to), [NATIONAL]: iso(to) });

    // one fetch per slice: 2 datasets x 2 days, scheduled together (parallelism 4)
    const fetches = rec.history.filter(
      (e) => e.EventType === EventType.TaskScheduled && e.Name === 'fetchSlice',
    );
    expect(fetches).toHaveLength(4);

    const { slot, runTag } = JSON.parse(rec.input!) as { slot: string; runTag: string };
    expect(runTag).toBe(rec.instanceId.split('-').at(-1));
    const slotMs = Date.parse(slot);
    const dir = `rte/production/${new Date(slotMs).toISOString().slice(0, 10).replace(/-/g, '/')}`;
    const expected = ['national', 'regional'].flatMap((kind) =>
      [from, from + DAY_MS].map(
        (start) => `${dir}/eco2mix_${kind}_${basicIso(slotMs)}_${runTag}_${basicIso(start)}.json`,
      ),
    );
    expect(h.files('rte/production')).toEqual(expected.sort());

    const served = h.odre.requests().filter((r) => r.endpoint === 'exports');
    expect(served).toHaveLength(4);
    expect(served.every((r) => r.status === 200 && r.sha256 !== null)).toBe(true);
    const servedSha = served.map((r) => r.sha256).sort();

    const landedSha: string[] = [];
    for (const file of expected) {
      const body = h.read(file);
      const sha = createHash('sha256').update(body).digest('hex');
      landedSha.push(sha);
      const rows = JSON.parse(body.toString('utf8')) as Record<string, unknown>[];
      const isRegional = file.includes('_regional_');
      const start = Date.parse(
        file.replace(/^.*_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.json$/, '$1-$2-$3T$4:$5:$6Z'),
      );
      expect(rows).toHaveLength(isRegional ? 1152 : 96);
      const times = rows.map((r) => Date.parse(r.date_heure as string));
      expect(Math.min(...times)).toBe(start);
      expect(Math.max(...times)).toBe(start + DAY_MS - 15 * 60_000);

      const side = h.sidecar(file);
      expect(side.contentType).toBe('application/json');
      expect(side.metadata).toEqual({
        source_url: expect.stringMatching(
          new RegExp(`/catalog/datasets/${isRegional ? REGIONAL : NATIONAL}/exports/json\\?where=`),
        ),
        dataset: isRegional ? REGIONAL : NATIONAL,
        window_from: iso(start),
        window_to: iso(start + DAY_MS),
        sha256: sha,
        record_count: String(rows.length),
        instance_id: id,
      });
    }
    expect(landedSha.sort()).toEqual(servedSha);

    const hb = JSON.parse(h.read(out.heartbeat).toString('utf8'));
    expect([hb.job_id, hb.status, hb.record_count, hb.api_requests, hb.error_details, hb.warnings]).toEqual([
      id,
      'success',
      2 * 1152 + 2 * 96,
      4,
      [],
      [],
    ]);
    expect(hb.window).toEqual({ from: iso(from), to: iso(to) });
    expect(hb.slices).toHaveLength(4);
    expect(h.files('_staging')).toEqual([]);
  });
});
