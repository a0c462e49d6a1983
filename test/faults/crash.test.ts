/**
 * Crash safety: the COMPILED runtime (`dist/tools/watt-watcher.js start`) runs the real app in a child
 * process; it is SIGKILLed at one stage of a run (during a fetch, between fetch and store, during
 * store, before the audit; stages are those of the first slice, since a slice may be stored while
 * the next is fetched), restarted on the same task hub and lake, and the run must end
 * complete with exactly one copy of each file. The stage is detected by polling the durable
 * store (`<durableDir>/<hub>/instances/<id>.json`), the stand-in's in-flight requests and the
 * lake; after the kill the persisted state is classified again, and a miss (the child got past
 * the stage before the signal landed) is retried. Needs `dist/` (npm test builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeId } from '../../tools/runtime/durable/store';
import { EventType, type HistoryEvent, type InstanceRecord } from '../../tools/runtime/durable/types';
import { startFakeOdre, type FakeOdre } from '../../tools/standins/odre/server';
import {
  duplicateRows,
  inspectLake,
  missingQuarters,
  NATIONAL,
  pastWindow,
  REGIONAL,
  until,
  walkAll,
} from './support';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'tools', 'watt-watcher.js');
const HUB = 'WattWatcherHub';
const KEY = 'crash-test-key';
const SLICES = 4; // 2 days x 2 datasets, fetched and stored one at a time (INGESTION_PARALLELISM=1)

type Stage = 'during fetch' | 'between fetch and store' | 'during store' | 'before audit';

interface Child {
  proc: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

async function startChild(dirs: { durable: string; lake: string }, odre: FakeOdre): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [CLI, 'start', '--port', '0', '--no-timers', '--root', ROOT, '--durable-dir', dirs.durable],
    {
      env: {
        ...process.env,
        RTE_API_BASE_URL: odre.url,
        LOCAL_LAKE_DIR: dirs.lake,
        WATT_FUNCTION_KEY: KEY,
        INGESTION_PARALLELISM: '1',
        RTE_REQUEST_TIMEOUT_MS: '5000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await until(() => /HTTP: http:\/\/localhost:\d+/.test(out) || proc.exitCode !== null, 'the child host');
  const m = /HTTP: http:\/\/localhost:(\d+)/.exec(out);
  if (!m) throw new Error(`the child did not start:\n${out}`);
  return { proc, port: Number(m[1]), output: () => out, exited };
}

function readInstance(durable: string, id: string): InstanceRecord | undefined {
  const file = path.join(durable, HUB, 'instances', `${encodeId(id)}.json`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as InstanceRecord;
  } catch {
    return undefined; // not written yet
  }
}

/** Successful completions (persisted in history or inbox) of one activity. */
function progress(rec: InstanceRecord, name: string): { scheduled: number; done: number } {
  const ids = new Set(
    rec.history
      .filter((e) => e.EventType === EventType.TaskScheduled && e.Name === name)
      .map((e) => e.EventId),
  );
  const done = [...rec.history, ...rec.inbox].filter(
    (e: HistoryEvent) => e.EventType === EventType.TaskCompleted && ids.has(e.TaskScheduledId ?? -1),
  ).length;
  return { scheduled: ids.size, done };
}

/** Where the persisted state says the run is. */
function classify(rec: InstanceRecord | undefined, lakeDir: string, odre: FakeOdre): Stage | 'other' {
  if (!rec) return 'other';
  const fetch = progress(rec, 'fetchSlice');
  const store = progress(rec, 'storeSlice');
  const audit = progress(rec, 'auditRun');
  // cheap checks only: this runs on every change of the instance file, racing the child
  const visible = (dir: string): number => {
    const full = path.join(lakeDir, 'bronze', dir);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return 0; // a blocker, not a lake file
    return walkAll(full).filter((f) => !path.basename(f).startsWith('.')).length;
  };
  // per slice: the orchestrator may store a slice while it fetches the next one
  if (fetch.done === 0) return odre.inFlight() > 0 ? 'during fetch' : 'other';
  if (store.done === 0) return visible('rte') === 0 ? 'between fetch and store' : 'during store';
  if (store.done < SLICES) return 'during store';
  if (audit.done === 0 && visible('audit') === 0) return 'before audit';
  return 'other';
}

async function attempt(
  stage: Stage,
  odre: FakeOdre,
): Promise<{ hit: boolean; report?: Record<string, unknown> }> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-crash-'));
  const dirs = { durable: path.join(base, '.durable'), lake: path.join(base, 'data') };
  odre.resetLog();
  odre.setLatency(stage === 'during fetch' ? 400 : 0);
  const window = pastWindow(48);
  // The store and audit stages follow their predecessor within milliseconds. To kill reliably in
  // between, the next stage's lake directory is blocked (a file where it must be): its attempts
  // fail and the durable retry timer (2 s or more, real clock) holds the run there. The blocker is
  // removed before the restart.
  const blocked = { 'between fetch and store': 'rte', 'before audit': 'audit' } as Partial<
    Record<Stage, string>
  >;
  const blocker = blocked[stage] ? path.join(dirs.lake, 'bronze', blocked[stage]) : undefined;
  if (blocker) {
    fs.mkdirSync(path.dirname(blocker), { recursive: true });
    fs.writeFileSync(blocker, 'blocks the directory');
  }
  const first = await startChild(dirs, odre);
  try {
    const res = await fetch(`http://127.0.0.1:${first.port}/api/ingestion/runs`, {
      method: 'POST',
      headers: { 'x-functions-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(window),
    });
    expect(res.status).toBe(202);
    const id = String(((await res.json()) as { id: string }).id);

    // react to every rewrite of the instance file (inotify), with polling as a fallback
    let killed = false;
    const check = (): boolean => {
      if (killed) return true;
      const rec = readInstance(dirs.durable, id);
      if (classify(rec, dirs.lake, odre) === stage || rec?.status === 'Completed') {
        first.proc.kill('SIGKILL');
        killed = true;
      }
      return killed;
    };
    const watcher = fs.watch(path.join(dirs.durable, HUB, 'instances'), check);
    try {
      await until(check, `stage "${stage}"`, 30_000);
    } finally {
      watcher.close();
    }
    await first.exited;
    odre.setLatency(0);
    if (blocker) fs.rmSync(blocker);
    let killedAt = classify(readInstance(dirs.durable, id), dirs.lake, odre);
    if (stage === 'during fetch') killedAt = 'during fetch'; // the stand-in saw the request in flight
    if (killedAt !== stage) return { hit: false };
    const requestsBefore = odre.requests().filter((r) => r.endpoint === 'exports').length;
    const staged = walkAll(path.join(dirs.lake, 'bronze', '_staging')).length;
    const finalsBefore = inspectLake(dirs.lake).production.length;

    // restart on the same hub (the dead process's host.lock is taken over) and let it finish
    const second = await startChild(dirs, odre);
    try {
      await until(
        () => readInstance(dirs.durable, id)?.status === 'Completed',
        'completion after restart',
        30_000,
      );
      await until(() => readInstance(dirs.durable, id)?.outbox.length === 0, 'entity signals', 10_000);
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
    const rec = readInstance(dirs.durable, id)!;
    const output = JSON.parse(rec.output!) as { status: string; files: number };
    expect([output.status, output.files]).toEqual(['succeeded', SLICES]);
    const lake = inspectLake(dirs.lake);
    expect(lake.production).toHaveLength(SLICES);
    expect(lake.temp).toEqual([]);
    expect(lake.staging).toEqual([]);
    expect(lake.unreadable).toEqual([]);
    expect(lake.shaMismatch).toEqual([]);
    expect(duplicateRows(dirs.lake, lake.production)).toEqual([]);
    expect(missingQuarters(dirs.lake, lake.production, REGIONAL, window.from, window.to)).toEqual([]);
    expect(missingQuarters(dirs.lake, lake.production, NATIONAL, window.from, window.to)).toEqual([]);
    const heartbeats = walkAll(path.join(dirs.lake, 'bronze', 'audit')).filter(
      (f) => !path.basename(f).startsWith('.'),
    );
    expect(heartbeats).toHaveLength(1);
    const requests = odre.requests().filter((r) => r.endpoint === 'exports').length;
    return {
      hit: true,
      report: {
        stage,
        requestsBeforeKill: requestsBefore,
        stagingFilesAtKill: staged,
        finalFilesAtKill: finalsBefore,
        requestsTotal: requests,
        fetchAttempts: progress(rec, 'fetchSlice').scheduled,
        storeRuns: progress(rec, 'storeSlice').scheduled,
      },
    };
  } finally {
    if (first.proc.exitCode === null && first.proc.signalCode === null) first.proc.kill('SIGKILL');
  }
}

describe('crash safety: SIGKILL the compiled runtime mid-run, restart, resume', () => {
  let odre: FakeOdre;
  const reports: string[] = [];
  beforeAll(async () => {
    expect(fs.existsSync(CLI)).toBe(true); // `npx tsc -p tsconfig.build.json` first
    odre = await startFakeOdre();
  });
  afterAll(async () => {
    await odre.close();
    console.log(`crash safety\n${reports.join('\n')}`);
  });

  it.each<Stage>(['during fetch', 'between fetch and store', 'during store', 'before audit'])(
    'killed %s: the run completes with exactly one copy of each file',
    async (stage) => {
      for (let tries = 1; tries <= 8; tries++) {
        const { hit, report } = await attempt(stage, odre);
        if (hit) {
          reports.push(JSON.stringify({ ...report, tries }));
          return;
        }
      }
      throw new Error(`could not kill the child ${stage} in 8 tries`);
    },
    120_000,
  );
});
