/**
 * A crash mid-run: the compiled CLI runs a four-day backfill in a child process and is killed
 * (SIGKILL) while fetches are in flight; a host restarted on the same task hub (taking over the
 * dead process's host.lock) resumes the run to completion, with every file landed exactly once.
 * Needs dist/ (npm test builds it; otherwise run `npx tsc -p tsconfig.build.json`).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskHubStore } from '../../tools/runtime/durable/store';
import { EventType, isTerminal, type HistoryEvent } from '../../tools/runtime/durable/types';
import { startFakeOdre, type FakeOdre } from '../../tools/standins/odre/server';
import { runCli, until } from './cli';
import { startHarness, type Harness } from './harness';
import { basicIso, iso } from '../../shared/time';
import { SUITE_MIDNIGHT } from '../setup/epoch';

const DAY_MS = 86_400_000;
const DAYS = 4;

describe('a process killed mid-run', () => {
  let odre: FakeOdre;
  let h: Harness | undefined;
  let base: string;
  beforeAll(async () => {
    odre = await startFakeOdre({ latencyMs: 300 });
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-e2e-crash-'));
  });
  afterAll(async () => {
    await h?.stop();
    await odre.close();
  });

  it('resumes to completion with no duplicate or missing file', async () => {
    const durableDir = path.join(base, '.durable');
    const lakeDir = path.join(base, 'data');
    const to = SUITE_MIDNIGHT - DAY_MS;
    const from = to - DAYS * DAY_MS;
    const env = { RTE_API_BASE_URL: odre.url, LOCAL_LAKE_DIR: lakeDir, INGESTION_PARALLELISM: '2' };

    const first = runCli(['ingest', '--from', iso(from), '--to', iso(to), '--durable-dir', durableDir], env);
    await until(() => /started (\S+)/.test(first.out()), 'the run to start');
    const instanceId = /started (\S+)/.exec(first.out())![1]!;
    // the second batch of fetches is on the wire
    await until(
      () => odre.requests().filter((r) => r.endpoint === 'exports').length > 2 && odre.inFlight() > 0,
      'fetches in flight',
    );
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    expect(killed.signal).toBe('SIGKILL');

    const store = new TaskHubStore(durableDir, 'WattWatcherHub');
    const atKill = JSON.parse(fs.readFileSync(store.instanceFile(instanceId), 'utf8'));
    expect(isTerminal(atKill.status)).toBe(false);
    // killed in the fetch stage: not every fetch had completed (stores of fetched slices may have)
    const namesAtKill = new Map<number, string>(
      atKill.history
        .filter((e: HistoryEvent) => e.EventType === EventType.TaskScheduled)
        .map((e: HistoryEvent) => [e.EventId, e.Name]),
    );
    const doneAtKill = atKill.history
      .filter((e: HistoryEvent) => e.EventType === EventType.TaskCompleted)
      .map((e: HistoryEvent) => namesAtKill.get(e.TaskScheduledId ?? -1));
    expect(doneAtKill.filter((n: string) => n === 'fetchSlice').length).toBeLessThan(2 * DAYS);
    expect(doneAtKill.filter((n: string) => n === 'storeSlice').length).toBeLessThan(2 * DAYS);
    expect(doneAtKill.filter((n: string) => n === 'auditRun')).toEqual([]);
    expect(fs.readFileSync(path.join(store.hubDir, 'host.lock'), 'utf8')).toMatch(
      new RegExp(`^${first.child.pid}:`),
    );
    const servedBeforeKill = odre.requests().length;

    // restart on the same task hub and lake; the dead process's lock is taken over
    h = await startHarness({ durableDir, lakeDir, odreInstance: odre, env: { INGESTION_PARALLELISM: '2' } });
    const rec = await h.wait(instanceId);
    expect(rec.status).toBe('Completed');
    const out = JSON.parse(rec.output!);
    expect([out.status, out.files, out.records, out.failures]).toEqual([
      'succeeded',
      2 * DAYS,
      DAYS * 1152 + DAYS * 96,
      [],
    ]);
    expect(odre.requests().length).toBeGreaterThan(servedBeforeKill);

    // every slice landed exactly once under its final name
    const { slot, runTag } = JSON.parse(rec.input!) as { slot: string; runTag: string };
    const slotMs = Date.parse(slot);
    const dir = `rte/production/${new Date(slotMs).toISOString().slice(0, 10).replace(/-/g, '/')}`;
    const expected = ['national', 'regional']
      .flatMap((kind) =>
        Array.from(
          { length: DAYS },
          (_, d) =>
            `${dir}/eco2mix_${kind}_${basicIso(slotMs)}_${runTag}_${basicIso(from + d * DAY_MS)}.json`,
        ),
      )
      .sort();
    expect(h.files('rte/production')).toEqual(expected);
    const servedSha = new Set(odre.requests().map((r) => r.sha256));
    const seen = new Set<string>();
    for (const file of expected) {
      const body = h.read(file);
      const rows = JSON.parse(body.toString('utf8')) as Record<string, string>[];
      expect(rows).toHaveLength(file.includes('_regional_') ? 1152 : 96);
      for (const r of rows)
        seen.add(`${file.includes('_regional_') ? r.code_insee_region : 'FR'}@${r.date_heure}`);
      const sha = createHash('sha256').update(body).digest('hex');
      expect(h.sidecar(file).metadata).toMatchObject({ sha256: sha, instance_id: instanceId });
      expect(servedSha.has(sha)).toBe(true);
    }
    expect(seen.size).toBe(DAYS * 1152 + DAYS * 96);

    // nothing half-written and nothing left in staging
    const all = h.allLakeFiles();
    expect(all.filter((f) => path.basename(f).startsWith('.tmp-'))).toEqual([]);
    expect(all.filter((f) => f.startsWith('bronze/_staging/'))).toEqual([]);

    const [hbPath, ...more] = h.files('audit');
    expect(more).toEqual([]);
    const hb = JSON.parse(h.read(hbPath!).toString('utf8'));
    expect([hb.job_id, hb.status, hb.record_count, hb.files.length, hb.error_details]).toEqual([
      instanceId,
      'success',
      DAYS * 1152 + DAYS * 96,
      2 * DAYS,
      [],
    ]);

    // one audit in the run's history; its lane sub-orchestrations (ids under the run's) continue as
    // new between chunks, so their totals, not one history, say each slice was fetched and stored once
    const run = h.host.engine.getInstance(instanceId)!;
    const scheduled = new Map(
      run.history.filter((e) => e.EventType === EventType.TaskScheduled).map((e) => [e.EventId, e.Name]),
    );
    const completed = run.history
      .filter((e) => e.EventType === EventType.TaskCompleted)
      .map((e) => scheduled.get(e.TaskScheduledId ?? -1));
    expect(completed.filter((n) => n === 'auditRun')).toHaveLength(1);
    const lanes = h.host.engine
      .listInstances({ instanceIdPrefix: `${instanceId}-chunk-` })
      .instances.map(
        (i) => JSON.parse(h!.host.engine.getInstance(i.instanceId)!.output ?? '{}') as Record<string, number>,
      );
    expect(lanes.length).toBeGreaterThan(1);
    const sum = (k: string): number => lanes.reduce((n, l) => n + (l[k] ?? 0), 0);
    expect([sum('fetched'), sum('stored'), sum('failed')]).toEqual([2 * DAYS, 2 * DAYS, 0]);
    expect(h.state('eco2mix-regional-tr')?.watermark).toBe(iso(to));
  });
});
