/**
 * The monthly API call budget: a backfill that would exceed it is refused before anything starts,
 * through the HTTP starter and through the CLI.
 */
import { SUITE_MIDNIGHT } from '../setup/epoch';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskHubStore } from '../../tools/runtime/durable/store';
import { startFakeOdre } from '../../tools/standins/odre/server';
import { runCli } from './cli';
import { FAKE_DATE_ONLY, startHarness, type Harness } from './harness';
import { iso } from '../../shared/time';

const DAY_MS = 86_400_000;

/** A manual backfill first asks each dataset for its coverage (one records request each). */
const COVERAGE = [
  { dataset: 'eco2mix-regional-tr', endpoint: 'records', group_by: 'nature' },
  { dataset: 'eco2mix-national-tr', endpoint: 'records', group_by: 'nature' },
];
const seen = (
  log: { dataset: string | null; endpoint: string; query: Record<string, string> }[],
): unknown[] => log.map((r) => ({ dataset: r.dataset, endpoint: r.endpoint, group_by: r.query.group_by }));

describe('the monthly call budget, through the HTTP starter', () => {
  let h: Harness;
  const now = Date.parse('2026-03-20T12:07:00Z');
  const midnight = Date.parse('2026-03-20T00:00:00Z');
  beforeAll(async () => {
    jest.useFakeTimers({ ...FAKE_DATE_ONLY, now });
    h = await startHarness({ env: { RTE_MONTHLY_CALL_BUDGET: '10' } });
  });
  afterAll(async () => {
    await h.stop();
    jest.useRealTimers();
  });

  it('refuses a backfill over the budget with 429 and starts nothing', async () => {
    const res = await h.startRun({ from: iso(midnight - 6 * DAY_MS), to: iso(midnight) });
    expect(res).toEqual({
      status: 429,
      body: {
        error: 'monthly API call budget exceeded',
        details: { needed: 12, remaining: 10, budget: 10 },
      },
    });
    expect(h.host.engine.listInstances().instances).toEqual([]);
    // the coverage requests precede the budget check; no export is sent
    expect(seen(h.odre.requests())).toEqual(COVERAGE);
    expect(h.allLakeFiles()).toEqual([]);
  });

  it('counts the calls already made this month (the 2 coverage requests above included)', async () => {
    const manual = await h.startRun();
    expect(manual.status).toBe(202);
    expect(JSON.parse((await h.wait(manual.body.id as string)).output!).requests).toBe(2);
    const state = await h.get('/api/ingestion/state');
    expect(state.body.budget).toEqual({ monthly: 10, usedThisMonth: 4, remaining: 6 });

    const before = h.host.engine.listInstances().instances.length;
    const files = h.allLakeFiles();
    h.odre.resetLog();
    const refused = await h.startRun({ from: iso(midnight - 5 * DAY_MS), to: iso(midnight) });
    expect(refused).toEqual({
      status: 429,
      body: {
        error: 'monthly API call budget exceeded',
        details: { needed: 10, remaining: 6, budget: 10 },
      },
    });
    expect(h.host.engine.listInstances().instances).toHaveLength(before);
    // the coverage is already known from the first refused backfill: not a single request
    expect(h.odre.requests()).toEqual([]);
    expect(h.allLakeFiles()).toEqual(files);
    expect((await h.get('/api/ingestion/state')).body.budget).toEqual({
      monthly: 10,
      usedThisMonth: 4,
      remaining: 6,
    });

    // exactly the remaining budget is allowed
    h.odre.resetLog();
    const accepted = await h.startRun({ from: iso(midnight - 3 * DAY_MS), to: iso(midnight) });
    expect(accepted.status).toBe(202);
    const rec = await h.wait(accepted.body.id as string);
    expect(JSON.parse(rec.output!)).toMatchObject({ status: 'succeeded', requests: 6 });
    expect(h.odre.requests().filter((r) => r.endpoint === 'records')).toEqual([]);
    expect(h.odre.requests().filter((r) => r.endpoint === 'exports')).toHaveLength(6);
    expect((await h.get('/api/ingestion/state')).body.budget).toEqual({
      monthly: 10,
      usedThisMonth: 10,
      remaining: 0,
    });
  });
});

describe('the monthly call budget, through the CLI', () => {
  it('refuses `ingest --from --to` over the budget: exit 1, the 429 body, nothing started', async () => {
    const odre = await startFakeOdre();
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-e2e-cli-'));
    const durableDir = path.join(base, '.durable');
    const lakeDir = path.join(base, 'data');
    try {
      const midnight = SUITE_MIDNIGHT;
      const run = runCli(
        ['ingest', '--from', iso(midnight - 6 * DAY_MS), '--to', iso(midnight), '--durable-dir', durableDir],
        {
          RTE_API_BASE_URL: odre.url,
          LOCAL_LAKE_DIR: lakeDir,
          RTE_MONTHLY_CALL_BUDGET: '10',
        },
      );
      const { code, out, err } = await run.exited;
      expect(code).toBe(1);
      expect(err).toContain('ingest refused (HTTP 429):');
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
        error: 'monthly API call budget exceeded',
        details: { needed: 12, remaining: 10, budget: 10 },
      });
      expect(seen(odre.requests())).toEqual(COVERAGE);
      expect(new TaskHubStore(durableDir, 'WattWatcherHub').loadAllInstances()).toEqual([]);
      expect(fs.existsSync(lakeDir) ? fs.readdirSync(lakeDir, { recursive: true }) : []).toEqual([]);
    } finally {
      await odre.close();
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
