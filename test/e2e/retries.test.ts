/**
 * Retries through the real durable retry policy (performed by the embedded host, as the Durable
 * Task Framework does): a transient 503 is retried, a 401 is not, and a run where everything
 * fails still writes its heartbeat.
 */
import { EventType, type HistoryEvent } from '../../tools/runtime/durable/types';
import { startHarness, type Harness } from './harness';

const REGIONAL = 'eco2mix-regional-tr';
const NATIONAL = 'eco2mix-national-tr';

function exportsFor(h: Harness, dataset?: string) {
  return h.odre
    .requests()
    .filter((r) => r.endpoint === 'exports' && (dataset === undefined || r.dataset === dataset));
}

interface HeartbeatView {
  status: string;
  job_id: string;
  record_count: number;
  api_requests: number;
  attempts: Record<string, number>;
  files: { path: string }[];
  error_details: Record<string, unknown>[];
}

function heartbeatOf(h: Harness, path: string): HeartbeatView {
  return JSON.parse(h.read(path).toString('utf8')) as HeartbeatView;
}

/** The history events of one slice's fetchSlice task chain, as type names in order. */
function fetchChain(history: HistoryEvent[], sliceKey: string): string[] {
  const taskIds = new Set<number>();
  const timerIds = new Set<number>();
  const out: string[] = [];
  for (const e of history) {
    if (
      e.EventType === EventType.TaskScheduled &&
      e.Name === 'fetchSlice' &&
      (e.Input ?? '').includes(`"key":"${sliceKey}"`)
    ) {
      taskIds.add(e.EventId);
      out.push('TaskScheduled');
    } else if (
      (e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) &&
      taskIds.has(e.TaskScheduledId ?? -1)
    ) {
      out.push(EventType[e.EventType]);
    } else if (e.EventType === EventType.TimerCreated && out.at(-1) === 'TaskFailed') {
      // the host's retry timer follows the failed attempt
      timerIds.add(e.EventId);
      out.push('TimerCreated');
    } else if (e.EventType === EventType.TimerFired && timerIds.has(e.TimerId ?? -1)) {
      out.push('TimerFired');
    }
  }
  return out;
}

describe('retries through the durable policy', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ odre: { publishDelayMs: 0 } });
  });
  afterEach(async () => h.stop());

  it('retries an injected 503 once and the run succeeds', async () => {
    h.odre.addFault({ kind: 503, dataset: REGIONAL, endpoint: 'exports', times: 1 });
    const started = await h.startRun();
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    const rec = await h.wait(id);

    expect(rec.status).toBe('Completed');
    const out = JSON.parse(rec.output!);
    expect([out.status, out.files, out.failures, out.requests]).toEqual(['succeeded', 2, [], 3]);

    const input = JSON.parse(rec.input!);
    const regionalKey = `regional-${(input.from as string).replace(/[-:]/g, '')}`;
    expect(fetchChain(rec.history, regionalKey)).toEqual([
      'TaskScheduled',
      'TaskFailed',
      'TimerCreated',
      'TimerFired',
      'TaskScheduled',
      'TaskCompleted',
    ]);
    const failed = rec.history.find((e) => e.EventType === EventType.TaskFailed);
    expect(failed?.Reason).toMatch(/RTE_HTTP_503/);
    // the national slice went through first time
    const nationalKey = regionalKey.replace('regional', 'national');
    expect(fetchChain(rec.history, nationalKey)).toEqual(['TaskScheduled', 'TaskCompleted']);

    const hb = heartbeatOf(h, out.heartbeat);
    expect(hb.status).toBe('success');
    expect(hb.attempts).toEqual({ [regionalKey]: 2, [nationalKey]: 1 });
    expect(hb.api_requests).toBe(3);
    expect(hb.error_details).toEqual([]);

    const served = exportsFor(h);
    expect(served).toHaveLength(3);
    expect(served.map((r) => [r.dataset, r.status])).toEqual(
      expect.arrayContaining([
        [REGIONAL, 503],
        [REGIONAL, 200],
        [NATIONAL, 200],
      ]),
    );
    expect(h.files('rte/production')).toHaveLength(2);
  });

  it('does not retry a 401: one request, run partial, typed error details', async () => {
    h.odre.addFault({ kind: 401, dataset: REGIONAL, endpoint: 'exports', times: 'forever' });
    const started = await h.startRun();
    expect(started.status).toBe(202);
    const rec = await h.wait(started.body.id as string);

    expect(rec.status).toBe('Completed');
    const out = JSON.parse(rec.output!);
    expect([out.status, out.files]).toEqual(['partial', 1]);
    expect(exportsFor(h, REGIONAL)).toHaveLength(1);
    expect(exportsFor(h, NATIONAL)).toHaveLength(1);
    // no retry timer at all
    expect(rec.history.filter((e) => e.EventType === EventType.TimerCreated)).toEqual([]);

    const input = JSON.parse(rec.input!);
    const hb = heartbeatOf(h, out.heartbeat);
    expect(hb.status).toBe('partial');
    expect(hb.error_details).toEqual([
      {
        dataset: REGIONAL,
        window: { from: input.from, to: input.to },
        http_status: 401,
        code: 'RTE_HTTP_401',
        retryable: false,
        attempts: 1,
        message: expect.stringMatching(
          /^GET http:\/\/127\.0\.0\.1:\d+\/api\/explore\/v2\.1\/catalog\/datasets\/eco2mix-regional-tr\/exports\/json\?\S+ -> 401: .*AuthenticationError/,
        ),
      },
    ]);
    expect(hb.files.map((f: { path: string }) => f.path)).toEqual([
      expect.stringMatching(/eco2mix_national_\d{8}T\d{6}Z_[0-9a-f]{6}\.json$/),
    ]);
    expect(h.files('rte/production')).toEqual([expect.stringMatching(/eco2mix_national_/)]);

    // the failed dataset's watermark does not move; the landed one's does
    expect(h.state(REGIONAL)).toMatchObject({
      watermark: null,
      lastRunStatus: 'partial',
      consecutiveFailures: 1,
    });
    expect(h.state(NATIONAL)).toMatchObject({ watermark: input.to, lastRunStatus: 'partial' });
  });

  it('fails the orchestration when every dataset answers 401, and still writes the heartbeat', async () => {
    h.odre.addFault({ kind: 401, endpoint: 'exports', times: 'forever' });
    const started = await h.startRun();
    expect(started.status).toBe(202);
    const rec = await h.wait(started.body.id as string);

    expect(rec.status).toBe('Failed');
    expect(rec.output).toMatch(/Ingestion failed: all 2 slices failed/);
    expect(exportsFor(h)).toHaveLength(2);

    const [hbPath, ...others] = h.files('audit');
    expect(others).toEqual([]);
    const hb = heartbeatOf(h, hbPath!);
    expect([hb.job_id, hb.status, hb.record_count, hb.files, hb.api_requests]).toEqual([
      rec.instanceId,
      'failure',
      0,
      [],
      2,
    ]);
    expect(hb.error_details.map((f: Record<string, unknown>) => [f.dataset, f.code, f.attempts])).toEqual([
      [REGIONAL, 'RTE_HTTP_401', 1],
      [NATIONAL, 'RTE_HTTP_401', 1],
    ]);
    expect(h.files('rte/production')).toEqual([]);
    expect(h.files('_staging')).toEqual([]);
    // the entity signals were committed before the failure
    for (const d of [REGIONAL, NATIONAL]) {
      expect(h.state(d)).toMatchObject({
        watermark: null,
        lastRunStatus: 'failed',
        consecutiveFailures: 1,
        callsToday: 1,
      });
    }
  });
});
