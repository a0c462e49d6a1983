/**
 * The one scenario list both engines run, in order (the state entity carries from one scenario
 * to the next, as in production). Each step drives an engine and names the runs it observes.
 */
import { DATASETS, DAY_MS, QUARTER_MS, type DatasetId } from '../../shared/constants';
import { scheduledInstanceId } from '../../shared/starters';
import { iso } from '../../shared/time';
import { SUITE_MIDNIGHT } from '../setup/epoch';
import type { Engine } from './engines';

const [REGIONAL] = DATASETS as [DatasetId, ...DatasetId[]];
/** The first slot of the scenario day (08:00 UTC of the suite's day): never the real date. */
const T0 = SUITE_MIDNIGHT + 8 * 3_600_000;
export const slotAt = (k: number): number => T0 + k * QUARTER_MS;
/** The quarter the stand-in leaves out for one region in the gap scenario (10:30 UTC). */
const GAP_AT = slotAt(10);
const FIRST_REGION = '11';

export interface Observer {
  /** Waits for the run and records its status, output, custom status and history under `label`. */
  run(label: string, instanceId: string): Promise<void>;
  /** Records the chunk sub-orchestrations of a run (found by the parent's id prefix) like runs. */
  children(label: string, parentId: string): Promise<void>;
  /** Records any other observation (HTTP answers, counts). */
  note(label: string, value: unknown): void;
  /** The engine's clock at named points (purge ranges are in each engine's own time). */
  mark(label: string): void;
  marks: Record<string, number>;
}

export interface Scenario {
  name: string;
  run(engine: Engine, o: Observer): Promise<void>;
  /** Asserts on one engine's observations that the behaviour under test took place. */
  check?(view: Record<string, unknown>): void;
}

interface StateView {
  watermark: string | null;
  lastRunStatus: string | null;
  quotaExhaustedUntil: string | null;
  incomplete: { from: string; to: string }[];
  gaps: { from: string; to: string; reason: string; status: string }[];
}

const stateOf = (view: Record<string, unknown>, label: string, dataset: string): StateView =>
  (view[`state after ${label}`] as Record<string, StateView>)[dataset] as StateView;

const covers = (r: { from: string; to: string }, t: number): boolean =>
  Date.parse(r.from) <= t && t < Date.parse(r.to);

async function scheduled(e: Engine, o: Observer, k: number, label = 'scheduled'): Promise<void> {
  await e.setNow(slotAt(k) + 60_000);
  const before = e.odre.requests().length;
  await e.fireTimer();
  await o.run(label, scheduledInstanceId(slotAt(k)));
  o.note(`API requests of ${label}`, e.odre.requests().length - before);
}

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (err: unknown) => `error: ${err instanceof Error ? err.message : String(err)}`,
  );

export const SCENARIOS: Scenario[] = [
  {
    name: 'a scheduled run',
    run: async (e, o) => {
      o.mark('before-first');
      await scheduled(e, o, 1);
      o.mark('after-first');
    },
  },
  {
    name: 'the same slot fired twice',
    run: async (e, o) => {
      await e.setNow(slotAt(2) + 60_000);
      o.note(
        'two fires at once',
        (await Promise.all([outcome(e.fireTimer()), outcome(e.fireTimer())])).sort(),
      );
      await o.run('scheduled', scheduledInstanceId(slotAt(2)));
      o.note('a third fire after it completed', await outcome(e.fireTimer()));
      const list = await e.api('GET', `instances/?instanceIdPrefix=${scheduledInstanceId(slotAt(2))}`);
      o.note('instances with that id', Array.isArray(list.body) ? list.body.length : list);
    },
  },
  {
    name: 'a two-day backfill',
    run: async (e, o) => {
      await e.setNow(slotAt(3) + 60_000);
      const started = await e.startRun({ from: iso(T0 - 2 * DAY_MS), to: iso(T0) });
      o.note('start answer', { status: started.status, keys: Object.keys(started.body).sort() });
      await o.run('backfill', String(started.body.id));
    },
  },
  {
    name: '503 twice then success',
    run: async (e, o) => {
      e.odre.addFault({ kind: 503, times: 2, dataset: REGIONAL, endpoint: 'exports' });
      await scheduled(e, o, 4);
      e.odre.clearFaults();
    },
  },
  {
    name: '401 (no retry)',
    run: async (e, o) => {
      e.odre.addFault({ kind: 401, times: 1, dataset: REGIONAL, endpoint: 'exports' });
      await scheduled(e, o, 5);
      e.odre.clearFaults();
    },
  },
  {
    name: 'every slice fails',
    run: async (e, o) => {
      e.odre.failUntilCleared(503);
      await scheduled(e, o, 6);
      e.odre.clearFaults();
    },
  },
  {
    name: 'purge by time range',
    run: async (e, o) => {
      const from = new Date(o.marks['before-first'] ?? 0).toISOString();
      const to = new Date(o.marks['after-first'] ?? 0).toISOString();
      const purge = await e.api('DELETE', `instances/?createdTimeFrom=${from}&createdTimeTo=${to}`);
      o.note('purge answer', purge);
      const left = await e.api('GET', 'instances/');
      const rows = Array.isArray(left.body)
        ? (left.body as { instanceId: string; runtimeStatus: string }[])
        : [];
      o.note(
        'instances left',
        rows
          .filter((i) => !i.instanceId.startsWith('@'))
          .map((i) => `${i.instanceId} ${i.runtimeStatus}`)
          .sort(),
      );
      o.note('entity rows in the instance list', rows.filter((i) => i.instanceId.startsWith('@')).length);
      const runs = await e.listRuns();
      o.note('runs the app lists', {
        status: runs.status,
        runs: ((runs.body.runs ?? []) as { instanceId?: string; id?: string }[]).map(
          (r) => r.instanceId ?? r.id,
        ),
      });
      const gone = await e.api('GET', `instances/${scheduledInstanceId(slotAt(1))}`);
      o.note('the purged run', gone.status);
    },
  },
  {
    // 5 days x 2 datasets = 10 day-slices > CHUNK_SLICES: 4 chunk sub-orchestrations in one wave
    name: 'a five-day backfill in chunk sub-orchestrations',
    run: async (e, o) => {
      await e.setNow(slotAt(7) + 60_000);
      const started = await e.startRun({ from: iso(T0 - 7 * DAY_MS), to: iso(T0 - 2 * DAY_MS) });
      o.note('start answer', { status: started.status, keys: Object.keys(started.body).sort() });
      const id = String(started.body.id);
      await o.run('backfill', id);
      await o.children('backfill', id);
    },
    check: (view) => {
      expect(Object.keys(view['sub-orchestrations of backfill'] as object)).toHaveLength(4);
    },
  },
  {
    // issue 11: the horizon runs from the first sighting; past it the quarter is a gap and the
    // watermark moves on. Runs are 1.5 h apart, far from the 1 h horizon on either clock.
    name: 'a quarter still missing past the gap horizon becomes a gap',
    run: async (e, o) => {
      e.configure({ INGESTION_GAP_HORIZON_HOURS: '1' });
      e.odre.setGaps([{ dataset: REGIONAL, from: iso(GAP_AT), regions: [FIRST_REGION] }]);
      await scheduled(e, o, 16, 'first sighting');
      await scheduled(e, o, 22, 'past the horizon');
    },
    check: (view) => {
      const first = stateOf(view, 'first sighting', REGIONAL);
      expect(first.incomplete.some((r) => covers(r, GAP_AT))).toBe(true);
      expect(Date.parse(first.watermark ?? '')).toBeLessThanOrEqual(GAP_AT);
      const past = stateOf(view, 'past the horizon', REGIONAL);
      expect(past.gaps.filter((g) => covers(g, GAP_AT))).toMatchObject([
        { reason: 'missing', status: 'open' },
      ]);
      expect(Date.parse(past.watermark ?? '')).toBeGreaterThan(GAP_AT);
    },
  },
  {
    // issue 11: a 429 with reset_time (errorcode 10002, the stand-in's daily quota body: reset at
    // the next UTC midnight) stops the run, defers its slices and records quotaExhaustedUntil
    name: 'a 429 with reset_time defers until the reset, then the run catches up',
    run: async (e, o) => {
      e.odre.failUntilCleared(429);
      await scheduled(e, o, 23, '429');
      // still answering 429: a request made before the reset would show in the count
      await scheduled(e, o, 24, 'before the reset');
      e.odre.clearFaults();
      // 00:15 UTC the next day, before the sweep hour (04:00)
      await scheduled(e, o, 65, 'after the reset');
    },
    check: (view) => {
      const reset = SUITE_MIDNIGHT + DAY_MS;
      for (const d of DATASETS) {
        expect(Date.parse(stateOf(view, '429', d).quotaExhaustedUntil ?? '')).toBe(reset);
        expect(stateOf(view, '429', d).lastRunStatus).toBe('deferred');
        expect(Date.parse(stateOf(view, 'before the reset', d).quotaExhaustedUntil ?? '')).toBe(reset);
        expect(stateOf(view, 'after the reset', d)).toMatchObject({
          quotaExhaustedUntil: null,
          lastRunStatus: 'succeeded',
        });
      }
      // one request per slice, no retry against the exhausted quota; none before the reset
      expect(view['API requests of 429']).toBe(DATASETS.length);
      expect(view['API requests of before the reset']).toBe(0);
    },
  },
  {
    name: 'the daily sweep closes the gap once the stand-in fills it',
    run: async (e, o) => {
      e.odre.setGaps([]);
      // 04:15 UTC: the first run from the sweep hour on a new UTC day sweeps the open gaps
      await scheduled(e, o, 81, 'sweep');
    },
    check: (view) => {
      const gaps = stateOf(view, 'sweep', REGIONAL).gaps.filter((g) => covers(g, GAP_AT));
      expect(gaps).toMatchObject([{ status: 'closed' }]);
    },
  },
];
