/**
 * The one scenario list both engines run, in order (the state entity carries from one scenario
 * to the next, as in production). Each step drives an engine and names the runs it observes.
 */
import { DATASETS, DAY_MS, QUARTER_MS } from '../../shared/constants';
import { scheduledInstanceId } from '../../shared/starters';
import { iso } from '../../shared/time';
import { SUITE_MIDNIGHT } from '../setup/epoch';
import type { Engine } from './engines';

const [REGIONAL] = DATASETS;
/** The first slot of the scenario day (08:00 UTC of the suite's day): never the real date. */
const T0 = SUITE_MIDNIGHT + 8 * 3_600_000;
export const slotAt = (k: number): number => T0 + k * QUARTER_MS;

export interface Observer {
  /** Waits for the run and records its status, output, custom status and history under `label`. */
  run(label: string, instanceId: string): Promise<void>;
  /** Records any other observation (HTTP answers, counts). */
  note(label: string, value: unknown): void;
  /** The engine's clock at named points (purge ranges are in each engine's own time). */
  mark(label: string): void;
  marks: Record<string, number>;
}

export interface Scenario {
  name: string;
  run(engine: Engine, o: Observer): Promise<void>;
}

async function scheduled(e: Engine, o: Observer, k: number, label = 'scheduled'): Promise<void> {
  await e.setNow(slotAt(k) + 60_000);
  await e.fireTimer();
  await o.run(label, scheduledInstanceId(slotAt(k)));
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
];
