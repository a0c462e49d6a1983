import { HttpRequest } from '@azure/functions';
import { getConfig, resetConfig } from '../../shared/config';
import {
  ACTIVE_SLOT_LOOKBACK,
  configOrResponse,
  manualInstanceId,
  scheduledInstanceId,
  scheduledWindow,
  startManualRun,
  startScheduledRun,
} from '../../shared/starters';
import { getRun, getState, listRuns } from '../../shared/queries';
import { initialState } from '../../shared/state';
import { startHarness, type Harness } from '../e2e/harness';

const NOW = Date.parse('2026-11-27T06:22:41Z');
const post = (body?: string, headers: Record<string, string> = {}) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/ingestion/runs',
    body: body === undefined ? undefined : { string: body },
    headers,
  });

describe('starters (real DurableClient from the embedded runtime, real HttpRequest)', () => {
  let h: Harness;
  const logs: string[] = [];
  const log = (l: string) => logs.push(l);
  beforeAll(async () => {
    h = await startHarness({ env: { RTE_MONTHLY_CALL_BUDGET: '100' }, now: NOW });
  });
  afterAll(async () => h.stop());

  it('answers 500 naming every bad setting if the app started without its appStart check', () => {
    const saved = process.env.INGESTION_PARALLELISM;
    process.env.INGESTION_PARALLELISM = 'many';
    resetConfig();
    try {
      const lines: string[] = [];
      const out = configOrResponse((l) => lines.push(l));
      expect('response' in out && out.response).toEqual({
        status: 500,
        jsonBody: {
          error: 'invalid configuration',
          details: { problems: ['INGESTION_PARALLELISM must be a whole number from 1 to 32, got "many"'] },
        },
      });
      expect(lines).toEqual([
        'Invalid configuration:\n  - INGESTION_PARALLELISM must be a whole number from 1 to 32, got "many"',
      ]);
    } finally {
      if (saved === undefined) delete process.env.INGESTION_PARALLELISM;
      else process.env.INGESTION_PARALLELISM = saved;
      resetConfig();
    }
    expect('config' in configOrResponse(() => undefined)).toBe(true);
  });

  it('names runs with stable prefixes', () => {
    expect(scheduledInstanceId(Date.parse('2026-11-28T06:15:00Z'))).toBe('eco2mix-20261128T0615Z');
    expect(manualInstanceId('manual', NOW, '', '', 'abc123')).toBe('eco2mix-manual-20261127T062241Z-abc123');
    expect(manualInstanceId('backfill', NOW, '2026-11-01T00:00:00Z', '2026-11-03T00:00:00Z', 'abc123')).toBe(
      'eco2mix-backfill-20261101T0000Z-20261103T0000Z-20261127T062241Z-abc123',
    );
  });

  it('derives the scheduled window from the watermark, capped by the run span', () => {
    const slot = Date.parse('2026-11-28T06:15:00Z');
    const cfg = { lookbackMs: 3 * 3600_000, maxRunSpanMs: 7 * 86_400_000 };
    const fresh = initialState('eco2mix-regional-tr');
    expect(scheduledWindow([fresh], slot, cfg)).toEqual({
      from: '2026-11-28T03:15:00Z',
      to: '2026-11-28T06:15:00Z',
    });
    const behind = { ...fresh, watermark: '2026-11-27T20:00:00Z' };
    expect(scheduledWindow([behind], slot, cfg)).toEqual({
      from: '2026-11-27T20:00:00Z',
      to: '2026-11-28T06:15:00Z',
    });
    const far = { ...fresh, watermark: '2026-11-01T00:00:00Z' };
    expect(scheduledWindow([far], slot, cfg)).toEqual({
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-08T00:00:00Z',
    });
  });

  it('starts one run per slot and logs why it starts nothing the second time', async () => {
    const client = h.host.client();
    const first = await startScheduledRun(client, getConfig(), { isPastDue: true }, NOW, log);
    expect(first).toEqual({ ok: true, instanceId: 'eco2mix-20261127T0615Z' });
    await h.wait(first.instanceId);
    const second = await startScheduledRun(client, getConfig(), { isPastDue: false }, NOW + 60_000, log);
    expect(second).toEqual({
      ok: false,
      instanceId: 'eco2mix-20261127T0615Z',
      reason: 'instance eco2mix-20261127T0615Z is already Completed',
    });
    expect(logs).toContain('timer fired for slot 2026-11-27T06:15:00Z (isPastDue=true)');
    expect(logs).toContain('not starting: instance eco2mix-20261127T0615Z is already Completed');
  });

  it('answers 400 naming the field, and 202 with the check-status payload', async () => {
    const client = h.host.client();
    const bad = await startManualRun(client, getConfig(), post('{"from":"2026-11-01"}'), NOW, 'n1', log);
    expect([
      bad.status,
      (bad as { jsonBody: { details: { field: string } } }).jsonBody.details.field,
    ]).toEqual([400, 'from']);
    const big = await startManualRun(
      client,
      getConfig(),
      post('{}', { 'content-length': String(2 * 1024 * 1024) }),
      NOW,
      'n2',
      log,
    );
    expect(big.status).toBe(413);
    const ok = (await startManualRun(client, getConfig(), post(''), NOW, 'n3', log)) as {
      status: number;
      body: unknown;
    };
    expect(ok.status).toBe(202);
    const payload = JSON.parse(
      await new Response(ok.body as ConstructorParameters<typeof Response>[0]).text(),
    ) as {
      id: string;
      statusQueryGetUri: string;
    };
    expect(payload.id).toBe('eco2mix-manual-20261127T062241Z-n3');
    expect(payload.statusQueryGetUri).toContain(
      '/runtime/webhooks/durabletask/instances/eco2mix-manual-20261127T062241Z-n3',
    );
    await h.wait(payload.id);
  });

  it('refuses a backfill over the monthly budget with 429 and starts nothing', async () => {
    const client = h.host.client();
    const before = h.host.engine.listInstances({}).instances.length;
    const res = await startManualRun(
      client,
      getConfig(),
      post('{"from":"2026-06-01T00:00:00Z","to":"2026-08-01T00:00:00Z"}'),
      NOW,
      'n4',
      log,
    );
    expect(res.status).toBe(429);
    expect((res as { jsonBody: unknown }).jsonBody).toEqual({
      error: 'monthly API call budget exceeded',
      details: { needed: 122, remaining: 96, budget: 100 },
    });
    expect(h.host.engine.listInstances({}).instances).toHaveLength(before);
  });

  it('reads runs and state', async () => {
    const client = h.host.client();
    expect((await getRun(client, '../../etc')).status).toBe(400);
    expect((await getRun(client, 'eco2mix-nope')).status).toBe(404);
    const one = await getRun(client, 'eco2mix-20261127T0615Z');
    expect((one.jsonBody as { runtimeStatus: string }).runtimeStatus).toBe('Completed');
    const listed = await listRuns(client, new URLSearchParams('status=completed&limit=1'), NOW);
    expect((listed.jsonBody as { runs: { instanceId: string }[] }).runs.map((r) => r.instanceId)).toEqual([
      'eco2mix-manual-20261127T062241Z-n3',
    ]);
    expect((await listRuns(client, new URLSearchParams('status=done'), NOW)).status).toBe(400);
    expect((await listRuns(client, new URLSearchParams('limit=0'), NOW)).status).toBe(400);
    const state = await getState(client, getConfig(), NOW);
    const body = state.jsonBody as {
      datasets: { watermark: string; callsMonth: number }[];
      budget: Record<string, number>;
    };
    // The stand-in publishes a quarter's values an hour after it ends: the last hour is pending,
    // so the watermark stops at the first unpublished quarter (landed means published).
    expect(body.datasets.map((d) => d.watermark)).toEqual(['2026-11-27T05:15:00Z', '2026-11-27T05:15:00Z']);
    expect(body.budget).toEqual({ monthly: 100, usedThisMonth: 4, remaining: 96 });
  });

  it('bounds listRuns by since (default: 7 days) and pages with a cursor', async () => {
    const client = h.host.client();
    const page = async (q: string, now = NOW) => {
      const res = await listRuns(client, new URLSearchParams(q), now);
      return res.jsonBody as { runs: { instanceId: string }[]; nextCursor: string | null; since: string };
    };
    const first = await page('limit=1');
    expect(first.runs.map((r) => r.instanceId)).toEqual(['eco2mix-manual-20261127T062241Z-n3']);
    expect(first.since).toBe('2026-11-20T06:22:41Z');
    const second = await page(`limit=1&cursor=${first.nextCursor ?? ''}`);
    expect(second.runs.map((r) => r.instanceId)).toEqual(['eco2mix-20261127T0615Z']);
    expect(second.nextCursor).toBeNull();
    expect((await page('', NOW + 8 * 86_400_000)).runs).toEqual([]);
    expect((await page('since=2026-11-01T00:00:00Z', NOW + 8 * 86_400_000)).runs).toHaveLength(2);
    for (const q of ['since=yesterday', 'since=2027-01-01T00:00:00Z', 'cursor=%%%']) {
      const res = await listRuns(client, new URLSearchParams(q), NOW);
      expect(res.status).toBe(400);
      expect((res.jsonBody as { details: { field: string } }).details.field).toBe(q.split('=')[0]);
    }
  });

  it('finds a scheduled run still going by point reads of the last slot ids, never a query over instances', async () => {
    const real = h.host.client();
    const calls: string[] = [];
    const client = new Proxy(real, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(`${String(prop)}(${typeof args[0] === 'string' ? args[0] : ''})`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    h.odre.setLatency(1500);
    try {
      const slot = Date.parse('2026-11-27T06:30:00Z');
      const started = await startScheduledRun(client, getConfig(), { isPastDue: false }, slot + 5_000, log);
      expect(started).toEqual({ ok: true, instanceId: 'eco2mix-20261127T0630Z' });
      calls.length = 0;
      const next = await startScheduledRun(
        client,
        getConfig(),
        { isPastDue: false },
        slot + 15 * 60_000,
        log,
      );
      expect(next).toEqual({
        ok: false,
        instanceId: 'eco2mix-20261127T0645Z',
        reason: "scheduled run eco2mix-20261127T0630Z is still Running; it covers this slot's window",
      });
      expect(calls.filter((c) => c.startsWith('getStatus('))).toEqual([
        'getStatus(eco2mix-20261127T0645Z)',
        ...Array.from(
          { length: ACTIVE_SLOT_LOOKBACK },
          (_, k) => `getStatus(${scheduledInstanceId(slot - k * 15 * 60_000)})`,
        ),
      ]);
      expect(calls.filter((c) => !c.startsWith('getStatus('))).toEqual([]);
      await h.wait('eco2mix-20261127T0630Z');
    } finally {
      h.odre.setLatency(0);
    }
  });
});
