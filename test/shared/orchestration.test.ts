import { FN } from '../../shared/constants';
import { encodeFailure } from '../../shared/errors';
import { ingestionOrchestration } from '../../shared/orchestration';
import { jitterMs } from '../../shared/retry';
import type { FetchResult, IngestionInput, StoredFile } from '../../shared/types';
import { flatten, History, replay } from '../helpers/replay';

const ID = 'eco2mix-20261128T0615Z';
const input: IngestionInput = {
  trigger: 'timer',
  slot: '2026-11-28T06:15:00Z',
  from: '2026-11-28T03:15:00Z',
  to: '2026-11-28T06:15:00Z',
  datasets: ['eco2mix-regional-tr', 'eco2mix-national-tr'],
  parallelism: 4,
};
const completeness = {
  expected: 144,
  received: 144,
  nullMeasures: 48,
  duplicateRows: 0,
  duplicateWarning: null,
  incomplete: [],
  missingQuarterCount: 0,
  missingQuarters: [],
  schemaWarnings: [],
  firstMissing: null,
};
const fetched = (short: 'regional' | 'national', records: number): FetchResult => ({
  ok: true,
  slice: {
    key: `${short}-20261128T031500Z`,
    dataset: `eco2mix-${short}-tr`,
    from: input.from,
    to: input.to,
  },
  stagingPath: `_staging/ingestion/${ID}/${short}-20261128T031500Z.json`,
  finalPath: `rte/production/2026/11/28/eco2mix_${short}_20261128T061500Z.json`,
  sourceUrl: 'http://odre/x',
  records,
  bytes: records * 700,
  sha256: short.repeat(4),
  httpStatus: 200,
  rateLimitRemaining: 9000,
  attempts: 1,
  requests: 1,
  completeness: { ...completeness, expected: records, received: records },
});
const stored = (f: FetchResult): StoredFile =>
  f.ok
    ? { path: f.finalPath, bytes: f.bytes, sha256: f.sha256, records: f.records, written: true }
    : (undefined as never);
const R = fetched('regional', 144);
const N = fetched('national', 12);

const episode1 = () => new History('2026-11-28T06:15:00Z').started(FN.orchestrator, input);

describe('ingestEco2mix orchestrator (durable-functions replay executor)', () => {
  it('fans out one fetch per slice with the durable retry policy', async () => {
    const state = await replay(ingestionOrchestration, ID, episode1());
    const actions = flatten(state.actions);
    expect(actions.map((a) => [a.actionType, a.functionName])).toEqual([
      [1, FN.fetchActivity],
      [1, FN.fetchActivity],
    ]);
    expect(actions[0]?.retryOptions).toEqual({
      firstRetryIntervalInMilliseconds: 2000 + jitterMs(ID, 'regional-20261128T031500Z'),
      maxNumberOfAttempts: 4,
      backoffCoefficient: 2,
      maxRetryIntervalInMilliseconds: 30000,
    });
    expect(actions[1]?.input).toEqual({
      instanceId: ID,
      slot: input.slot,
      slice: N.slice,
      multiSlice: false,
    });
    expect(state.customStatus).toEqual({ stage: 'fetch', slices: 2, fetched: 0, stored: 0, failed: 0 });
    expect(state.isDone).toBe(false);
  });

  const throughStore = () =>
    episode1()
      .scheduled(0, FN.fetchActivity, {})
      .scheduled(1, FN.fetchActivity, {})
      .endEpisode()
      .episode()
      .completed(0, R)
      .completed(1, N);

  it('stores each fetched slice, passing metadata only', async () => {
    const state = await replay(ingestionOrchestration, ID, throughStore());
    const actions = flatten(state.actions).slice(2);
    expect(actions.map((a) => [a.actionType, a.functionName, a.input])).toEqual([
      [1, FN.storeActivity, { instanceId: ID, fetched: R }],
      [1, FN.storeActivity, { instanceId: ID, fetched: N }],
    ]);
    expect(state.customStatus).toEqual({ stage: 'store', slices: 2, fetched: 2, stored: 0, failed: 0 });
  });

  const throughAudit = () =>
    throughStore()
      .scheduled(2, FN.storeActivity, {})
      .scheduled(3, FN.storeActivity, {})
      .endEpisode()
      .episode()
      .completed(2, stored(R))
      .completed(3, stored(N));

  it('audits once, then records state per dataset and returns the summary', async () => {
    const mid = await replay(ingestionOrchestration, ID, throughAudit());
    const audit = flatten(mid.actions)[4];
    expect([audit?.functionName, (audit?.input as { status: string }).status]).toEqual([
      FN.auditActivity,
      'succeeded',
    ]);
    expect((audit?.input as { files: StoredFile[] }).files).toEqual([stored(R), stored(N)]);

    const auditOut = {
      heartbeat: 'audit/ingestion/2026/11/28/heartbeat_20261128T061500Z.json',
      requests: 2,
      requestsByDataset: { 'eco2mix-regional-tr': 1, 'eco2mix-national-tr': 1 },
    };
    const done = await replay(
      ingestionOrchestration,
      ID,
      throughAudit().scheduled(4, FN.auditActivity, {}).endEpisode().episode().completed(4, auditOut),
    );
    const signals = flatten(done.actions).slice(5);
    expect(signals.map((a) => [a.actionType, a.instanceId, a.operation])).toEqual([
      [9, '@ingestionstate@eco2mix-regional-tr', 'recordRun'],
      [9, '@ingestionstate@eco2mix-national-tr', 'recordRun'],
    ]);
    expect(signals[0]?.input).toEqual({
      runId: ID,
      status: 'succeeded',
      at: '2026-11-28T06:15:03.000Z',
      landedUntil: input.to,
      requests: 1,
      checked: [{ from: input.from, to: input.to, incomplete: [] }],
      quotaExhaustedUntil: null,
      rateLimitRemaining: 9000,
      swept: false,
    });
    expect(done.isDone).toBe(true);
    expect(done.output).toEqual({
      status: 'succeeded',
      records: 156,
      files: 2,
      failures: [],
      heartbeat: auditOut.heartbeat,
      watermarks: { 'eco2mix-regional-tr': input.to, 'eco2mix-national-tr': input.to },
      requests: 2,
    });
    expect(done.customStatus).toEqual({ stage: 'done', slices: 2, fetched: 2, stored: 2, failed: 0 });
  });

  it('records a non-retryable answer at once and completes as partial', async () => {
    const refused: FetchResult = {
      ok: false,
      slice: N.slice,
      requests: 1,
      failure: {
        dataset: 'eco2mix-national-tr',
        window: { from: input.from, to: input.to },
        http_status: 401,
        code: 'RTE_HTTP_401',
        message: 'GET http://odre/x answered 401',
        retryable: false,
        attempts: 1,
      },
    };
    const h = episode1().scheduled(0, FN.fetchActivity, {}).scheduled(1, FN.fetchActivity, {}).endEpisode();
    h.episode().completed(0, R).completed(1, refused);
    const state = await replay(ingestionOrchestration, ID, h);
    const actions = flatten(state.actions);
    expect(actions.slice(2).map((a) => a.functionName)).toEqual([FN.storeActivity]);
    expect(state.customStatus).toEqual({ stage: 'store', slices: 2, fetched: 1, stored: 0, failed: 1 });
  });

  it('waits on the host retry timers and records the failure after the last attempt', async () => {
    const failure = encodeFailure({
      code: 'RTE_HTTP_503',
      httpStatus: 503,
      message: 'GET x answered 503',
      retryable: true,
    });
    const h = episode1().scheduled(0, FN.fetchActivity, {}).scheduled(1, FN.fetchActivity, {}).endEpisode();
    h.episode().completed(0, R);
    // national: attempts 1..4 fail; the host creates a timer after each, the final one included
    let next = 2;
    let attemptId = 1;
    for (let attempt = 1; attempt <= 4; attempt++) {
      h.failed(attemptId, `Activity failed: ${failure}`);
      const timerId = next++;
      const fireAt = new Date(Date.parse('2026-11-28T06:16:00Z') + attempt * 1000);
      h.timerCreated(timerId, fireAt).endEpisode().episode().timerFired(timerId, fireAt);
      if (attempt < 4) {
        attemptId = next++;
        h.scheduled(attemptId, FN.fetchActivity, {});
      }
    }
    const state = await replay(ingestionOrchestration, ID, h);
    expect(state.customStatus).toEqual({ stage: 'store', slices: 2, fetched: 1, stored: 0, failed: 1 });
    // until the final timer fires, the slice is still in flight: nothing is stored yet
    const before = await replay(ingestionOrchestration, ID, trimLastTimer(h));
    expect(flatten(before.actions).map((a) => a.functionName)).toEqual([FN.fetchActivity, FN.fetchActivity]);
    expect(before.customStatus).toEqual({ stage: 'fetch', slices: 2, fetched: 0, stored: 0, failed: 0 });
  });

  it('fails after auditing when every slice failed', async () => {
    const failure = encodeFailure({
      code: 'RTE_TIMEOUT',
      httpStatus: null,
      message: 'timed out after 30000 ms',
      retryable: true,
    });
    const single: IngestionInput = { ...input, datasets: ['eco2mix-national-tr'] };
    const h = new History('2026-11-28T06:15:00Z')
      .started(FN.orchestrator, single)
      .scheduled(0, FN.fetchActivity, {})
      .endEpisode();
    let id = 0;
    let next = 1;
    for (let attempt = 1; attempt <= 4; attempt++) {
      h.episode().failed(id, failure);
      const timerId = next++;
      h.timerCreated(timerId, new Date(0)).endEpisode().episode().timerFired(timerId, new Date(0));
      if (attempt < 4) h.scheduled((id = next++), FN.fetchActivity, {});
    }
    const s1 = await replay(ingestionOrchestration, ID, h);
    const audit = flatten(s1.actions).at(-1);
    expect(audit?.functionName).toBe(FN.auditActivity);
    expect((audit?.input as { failures: unknown[] }).failures).toEqual([
      {
        dataset: 'eco2mix-national-tr',
        window: { from: input.from, to: input.to },
        http_status: null,
        code: 'RTE_TIMEOUT',
        message: 'timed out after 30000 ms',
        retryable: true,
        attempts: 4,
      },
    ]);
    const auditId = next;
    h.scheduled(auditId, FN.auditActivity, {})
      .endEpisode()
      .episode()
      .completed(auditId, { heartbeat: 'hb', requests: 4, requestsByDataset: {} });
    const s2 = await replay(ingestionOrchestration, ID, h);
    // the run fails in the audit's episode; its entity signal is sent with the failure (no timer first)
    const actions = flatten(s2.actions);
    expect(actions.at(-1)?.actionType).toBe(9);
    expect(actions.some((a) => a.actionType === 5)).toBe(false);
    expect(s2.error).toMatch(
      /^Ingestion failed: all 1 slices failed\. \{"status":"failed","records":0,"files":0/,
    );
  });

  it('is deterministic: the same history gives the same actions', async () => {
    const a = await replay(ingestionOrchestration, ID, throughAudit());
    const b = await replay(ingestionOrchestration, ID, throughAudit());
    expect(JSON.stringify(b.actions)).toBe(JSON.stringify(a.actions));
  });

  it('runs a backfill longer than one chunk in INGESTION_PARALLELISM lane sub-orchestrations with ids under its own', async () => {
    const wide: IngestionInput = {
      ...input,
      trigger: 'manual',
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-04T00:00:00Z',
      parallelism: 2,
    };
    const state = await replay(
      ingestionOrchestration,
      ID,
      new History('2026-11-28T06:15:00Z').started(FN.orchestrator, wide),
    );
    const first = flatten(state.actions);
    expect(first.map((a) => [a.actionType, a.functionName, a.instanceId])).toEqual([
      [2, FN.chunkOrchestrator, `${ID}-chunk-lane-000`],
      [2, FN.chunkOrchestrator, `${ID}-chunk-lane-001`],
    ]);
    // a lane gets its part of each dataset as a window, never the slices: it plans them itself
    const part = (dataset: string, from: string, to: string, first: number, lead?: number) => ({
      dataset: `eco2mix-${dataset}-tr`,
      from: `2026-11-${from}T00:00:00Z`,
      to: `2026-11-${to}T00:00:00Z`,
      first,
      ...(lead === undefined ? {} : { lead }),
    });
    expect(first.map((a) => a.input)).toEqual([
      {
        runId: ID,
        slot: wide.slot,
        lane: 0,
        parts: [part('regional', '01', '04', 0)],
        at: 0,
      },
      {
        runId: ID,
        slot: wide.slot,
        lane: 1,
        // its first chunk is cut short (leadOf): the lanes' chunk ends fall on different slices
        parts: [part('national', '01', '04', 0, 2)],
        at: 0,
      },
    ]);
    expect(state.customStatus).toEqual({
      stage: 'fetch',
      slices: 6,
      fetched: 0,
      stored: 0,
      failed: 0,
      chunks: 3,
      chunksDone: 0,
    });
  });

  it('stores the previous step while it fetches the next one', async () => {
    const wide: IngestionInput = {
      ...input,
      datasets: ['eco2mix-national-tr'],
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-05T00:00:00Z',
      parallelism: 2,
    };
    const day = (d: number): FetchResult => {
      const f = fetched('national', 96);
      return f.ok ? { ...f, slice: { ...f.slice, key: `national-2026110${d}T000000Z` } } : f;
    };
    const h = new History('2026-11-28T06:15:00Z')
      .started(FN.orchestrator, wide)
      .scheduled(0, FN.fetchActivity, {})
      .scheduled(1, FN.fetchActivity, {})
      .endEpisode();
    h.episode().completed(0, day(1)).completed(1, day(2));
    const state = await replay(ingestionOrchestration, ID, h);
    expect(
      flatten(state.actions)
        .slice(2)
        .map((a) => [
          a.functionName,
          (a.input as { fetched?: { slice: { key: string } }; slice?: { key: string } }).fetched?.slice.key ??
            (a.input as { slice: { key: string } }).slice.key,
        ]),
    ).toEqual([
      [FN.storeActivity, 'national-20261101T000000Z'],
      [FN.storeActivity, 'national-20261102T000000Z'],
      [FN.fetchActivity, 'national-20261103T000000Z'],
      [FN.fetchActivity, 'national-20261104T000000Z'],
    ]);
    expect(state.customStatus).toEqual({ stage: 'fetch', slices: 4, fetched: 2, stored: 0, failed: 0 });
  });
});

function trimLastTimer(h: History): History {
  const copy = new History('2026-11-28T06:15:00Z');
  const lastFired = h.events.map((e) => e.EventType).lastIndexOf(11);
  copy.events.push(...h.events.slice(0, lastFired));
  return copy;
}
