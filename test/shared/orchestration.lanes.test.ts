/**
 * Backfill lanes: the plan (pure), and one lane driven through durable-functions' own replay
 * executor from its first execution to its last (continue-as-new between chunks).
 */
import { FN } from '../../shared/constants';
import type { ErrorCode } from '../../shared/errors';
import { CHUNK_SLICES, chunkOrchestration, planLanes, type LaneInput } from '../../shared/orchestration';
import { chunksOf, LANE_FETCHES, partsOf } from '../../shared/orchestration/chunks';
import { streamRound, type RoundDeps } from '../../shared/orchestration/rounds';
import type { LaneOutput } from '../../shared/orchestration';
import { planSlices } from '../../shared/slicing';
import type { FailureInfo, FetchResult, Slice, StoredFile } from '../../shared/types';
import { flatten, History, replay, type Action } from '../helpers/replay';

const REGIONAL = 'eco2mix-regional-tr' as const;
const NATIONAL = 'eco2mix-national-tr' as const;
const RUN = 'eco2mix-backfill-20261101T00Z-20261111T00Z-abc123';

describe('planLanes', () => {
  const slices = planSlices([REGIONAL, NATIONAL], '2026-10-01T00:00:00Z', '2026-10-31T00:00:00Z');

  it('deals every slice once, in chunks of one dataset and at most CHUNK_SLICES, lanes within one slice of each other', () => {
    const lanes = planLanes(slices, 4);
    expect(lanes.map((l) => l.index)).toEqual([0, 1, 2, 3]);
    const chunks = lanes.flatMap((l) => l.chunks);
    expect(chunks.every((c) => c.slices.length >= 1 && c.slices.length <= CHUNK_SLICES)).toBe(true);
    expect(chunks.every((c) => c.slices.every((s) => s.dataset === c.dataset))).toBe(true);
    const sizes = lanes.map((l) => l.chunks.reduce((n, c) => n + c.slices.length, 0));
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    // per dataset, lane order then chunk order is time order, and chunk numbers follow it
    for (const dataset of [REGIONAL, NATIONAL]) {
      const mine = chunks.filter((c) => c.dataset === dataset);
      expect(mine.flatMap((c) => c.slices)).toEqual(slices.filter((s) => s.dataset === dataset));
      expect(mine.map((c) => c.index)).toEqual(mine.map((_, i) => i));
    }
  });

  it('gives each lane its parts as windows, from which the lane plans the same chunks', () => {
    for (const count of [3, 4]) {
      for (const lane of planLanes(slices, count)) {
        const again = partsOf(lane).flatMap((p) =>
          chunksOf(p.dataset, planSlices([p.dataset], p.from, p.to), p.first, p.lead),
        );
        expect(again).toEqual(lane.chunks);
      }
    }
    // three lanes over 60 slices: the middle one holds the end of one dataset and the start of the other
    expect(planLanes(slices, 3).map((l) => partsOf(l).map((p) => p.dataset))).toEqual([
      [REGIONAL],
      [REGIONAL, NATIONAL],
      [NATIONAL],
    ]);
  });

  it('staggers the lanes: their chunks end after different numbers of slices', () => {
    const lanes = planLanes(slices, 4);
    const ends = lanes.map((l) => {
      let n = 0;
      return l.chunks.slice(0, -1).map((c) => (n += c.slices.length));
    });
    expect(ends).toEqual([
      [4, 8, 12],
      [3, 7, 11],
      [2, 6, 10, 14],
      [1, 5, 9, 13],
    ]);
    expect(new Set(ends.flat()).size).toBe(ends.flat().length);
  });

  it('starts no empty lane and is the same plan every time', () => {
    const few = slices.filter((s) => s.dataset === NATIONAL).slice(0, 3);
    expect(planLanes(few, 4).map((l) => l.chunks.map((c) => c.slices.length))).toEqual([[1], [1], [1]]);
    expect(JSON.stringify(planLanes(slices, 3))).toBe(JSON.stringify(planLanes(slices, 3)));
  });
});

const completeness = (slice: Slice, incomplete: { from: string; to: string }[]) => ({
  expected: 96,
  received: 96 - incomplete.length,
  nullMeasures: 0,
  duplicateRows: 0,
  duplicateWarning: null,
  incomplete: incomplete.map((r) => ({ ...r, expected: 1, received: 0, reason: 'missing' as const })),
  missingQuarterCount: incomplete.length,
  missingQuarters: incomplete.map((r) => r.from),
  schemaWarnings: [],
  firstMissing: incomplete[0]?.from ?? null,
  to: slice.to,
});

const fetchedOf = (slice: Slice, incomplete: { from: string; to: string }[]): FetchResult => ({
  ok: true,
  slice,
  stagingPath: `_staging/ingestion/${RUN}/${slice.key}.json`,
  finalPath: `rte/production/2026/11/28/${slice.key}.json`,
  sourceUrl: 'http://odre/x',
  records: 96,
  bytes: 96 * 700,
  sha256: slice.key,
  httpStatus: 200,
  rateLimitRemaining: 9000 - Number(slice.from.slice(8, 10)),
  attempts: 1,
  requests: 1,
  completeness: completeness(slice, incomplete),
});

type Answer = (a: Action) => { ok: true; result: unknown } | { ok: false; reason: string };

/** Replays one execution, answering every activity it schedules, until it returns or continues as new. */
async function runExecution(
  input: LaneInput,
  answer: Answer,
): Promise<{
  done: boolean;
  output?: unknown;
  next?: LaneInput;
  activities: Action[];
  episodes: Action[][];
}> {
  const h = new History('2026-11-28T06:15:00Z').started(FN.chunkOrchestrator, input);
  const episodes: Action[][] = [];
  for (let round = 0; round < 50; round++) {
    const state = await replay(chunkOrchestration, RUN, h);
    const actions = flatten(state.actions);
    const can = actions.find((a) => a.actionType === 4);
    if (state.isDone || can) {
      return {
        done: state.isDone && !can,
        output: state.output,
        next: can?.input as LaneInput,
        activities: actions,
        episodes,
      };
    }
    const known = h.events.filter((e) => e.EventType === 4).length;
    const fresh = actions.slice(known);
    episodes.push(fresh);
    fresh.forEach((a, i) => h.scheduled(known + i, a.functionName ?? '', a.input));
    h.endEpisode().episode();
    fresh.forEach((a, i) => {
      const r = answer(a);
      if (r.ok) h.completed(known + i, r.result);
      else h.failed(known + i, r.reason);
    });
  }
  throw new Error('the lane did not finish its execution');
}

/** Lane 0's first execution over national days [from, to). */
const nationalLane = (from: string, to: string): LaneInput => ({
  runId: RUN,
  slot: '2026-11-28T06:15:00Z',
  lane: 0,
  parts: [{ dataset: NATIONAL, from, to, first: 0 }],
  at: 0,
});

/** A refusal of one slice's fetch, as the fetch activity returns it (not thrown). */
const refusal = (
  slice: Slice,
  status: number,
  code: ErrorCode,
  more: Partial<FailureInfo> = {},
): FetchResult => ({
  ok: false,
  slice,
  requests: 1,
  failure: {
    dataset: NATIONAL,
    window: { from: slice.from, to: slice.to },
    http_status: status,
    code,
    message: `GET http://odre/x answered ${status}`,
    retryable: false,
    attempts: 1,
    ...more,
  },
});

/** Answers every activity: a fetch with `fetch(slice)`, a store with its file, the chunk detail with a path. */
const answering =
  (fetch: (slice: Slice) => FetchResult): Answer =>
  (a) => {
    if (a.functionName === FN.fetchActivity)
      return { ok: true, result: fetch((a.input as { slice: Slice }).slice) };
    if (a.functionName === FN.storeActivity) {
      const f = (a.input as { fetched: Extract<FetchResult, { ok: true }> }).fetched;
      const file: StoredFile = {
        path: f.finalPath,
        bytes: f.bytes,
        sha256: f.sha256,
        records: 96,
        written: true,
      };
      return { ok: true, result: file };
    }
    return { ok: true, result: `_staging/ingestion/${RUN}/chunks/x.json` };
  };

describe('a lane (replayed)', () => {
  // 10 national days over one lane: chunks of 4, 4 and 2 slices, one execution each
  const base = nationalLane('2026-11-01T00:00:00Z', '2026-11-11T00:00:00Z');
  const hole = { from: '2026-11-02T06:00:00Z', to: '2026-11-02T06:15:00Z' };
  // the 6th day is refused (not retryable); the 2nd lacks one quarter
  const answer = answering((slice) =>
    slice.from.startsWith('2026-11-06')
      ? refusal(slice, 401, 'RTE_HTTP_401')
      : fetchedOf(slice, slice.from.startsWith('2026-11-02') ? [hole] : []),
  );

  it('runs one chunk per execution as a stream of LANE_FETCHES fetches, and hands its totals to the next', async () => {
    const first = await runExecution(base, answer);
    expect(first.done).toBe(false);
    // what each episode schedules: two fetches, then each store goes out with the fetch two
    // slices ahead (no step waits for a whole batch), then the chunk's detail
    const day = (a: Action): string => {
      const i = a.input as { slice?: Slice; fetched?: { slice: Slice } };
      return `${a.functionName === FN.fetchActivity ? 'fetch' : 'store'} ${(i.slice ?? i.fetched?.slice)?.from.slice(8, 10) ?? ''}`;
    };
    expect(LANE_FETCHES).toBe(2);
    expect(first.episodes.slice(0, -1).map((batch) => batch.map(day))).toEqual([
      ['fetch 01', 'fetch 02'],
      ['store 01', 'fetch 03'],
      ['store 02', 'fetch 04'],
      ['store 03'],
      ['store 04'],
    ]);
    expect(first.episodes.at(-1)?.map((a) => a.functionName)).toEqual([FN.chunkActivity]);
    const fetches = first.activities.filter((a) => a.functionName === FN.fetchActivity);
    expect(fetches.map((a) => (a.input as { slice: Slice }).slice.from.slice(0, 10))).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
    ]);
    // each fetch tells the request gate how many slices the lane has left after it
    expect(fetches.map((a) => (a.input as { backlog?: number }).backlog)).toEqual([9, 8, 7, 6]);
    // the chunk's detail goes to staging through the chunk activity, named by dataset and chunk number
    const detail = first.activities.find((a) => a.functionName === FN.chunkActivity)?.input as {
      chunk: string;
      slices: unknown[];
    };
    expect([detail.chunk, detail.slices.length]).toEqual([`${NATIONAL}-0`, 4]);
    expect(first.next).toMatchObject({
      ...base,
      at: 1,
      done: { chunks: 1, slices: 4, stored: 4, failed: 0 },
    });
    expect(JSON.stringify(first.next).length).toBeLessThan(2048);
  });

  it('returns counts, how far it landed and the checked windows joined, never per-slice detail', async () => {
    let input: LaneInput | undefined = base;
    let last: Awaited<ReturnType<typeof runExecution>> | undefined;
    let executions = 0;
    while (input) {
      last = await runExecution(input, answer);
      executions++;
      input = last.done ? undefined : last.next;
    }
    expect(executions).toBe(3);
    const out = last?.output as LaneOutput;
    expect([out.chunks, out.slices, out.fetched, out.stored, out.failed, out.records]).toEqual([
      3,
      10,
      9,
      9,
      1,
      9 * 96,
    ]);
    expect(out.failures.map((f) => f.window.from)).toEqual(['2026-11-06T00:00:00Z']);
    // landed stops at the first missing quarter; stored reaches the failed day
    expect(out.landed).toEqual([{ dataset: NATIONAL, until: hole.from, whole: false }]);
    expect(out.reached).toEqual([{ dataset: NATIONAL, until: '2026-11-06T00:00:00Z', whole: false }]);
    // the gap ledger hears of every stored day, the hole included: two windows around the failed day
    expect(out.checked).toEqual([
      {
        dataset: NATIONAL,
        windows: [
          {
            from: '2026-11-01T00:00:00Z',
            to: '2026-11-06T00:00:00Z',
            incomplete: [{ ...hole, expected: 1, received: 0, reason: 'missing' }],
          },
          { from: '2026-11-07T00:00:00Z', to: '2026-11-11T00:00:00Z', incomplete: [] },
        ],
      },
    ]);
    expect(out.rateLimitRemaining).toEqual({ [NATIONAL]: 9000 - 10 });
  });
});

describe('a lane meeting an exhausted quota', () => {
  it('takes the fetch already scheduled, sends no other request and counts the rest as not stored', async () => {
    const input = nationalLane('2026-11-01T00:00:00Z', '2026-11-05T00:00:00Z');
    const quota = answering((slice) =>
      slice.from.startsWith('2026-11-01')
        ? refusal(slice, 429, 'RTE_QUOTA_EXHAUSTED', { deferred_until: '2026-11-29T00:00:00Z' })
        : fetchedOf(slice, []),
    );
    const run = await runExecution(input, quota);
    const fetched = run.activities
      .filter((a) => a.functionName === FN.fetchActivity)
      .map((a) => (a.input as { slice: Slice }).slice.from.slice(8, 10));
    expect(fetched).toEqual(['01', '02']);
    expect(run.output).toMatchObject({ slices: 4, fetched: 1, stored: 1, failed: 0 });
  });
});

describe('streamRound', () => {
  const slices = planSlices([NATIONAL], '2026-11-01T00:00:00Z', '2026-11-04T00:00:00Z');
  const deps = (stopped: boolean, deferred: string[], started: string[]): RoundDeps => ({
    context: {} as RoundDeps['context'],
    width: LANE_FETCHES,
    startFetch: (s) => {
      started.push(s.key);
      throw new Error('no request may be sent');
    },
    startStore: () => {
      throw new Error('nothing to store');
    },
    fetched: () => null,
    stored: () => undefined,
    stopped: () => stopped,
    defer: (todo) => void deferred.push(...todo.map((s) => s.key)),
    progress: () => undefined,
  });

  it('stopped before it starts (a deferred run), it sends nothing and defers every slice', () => {
    const deferred: string[] = [];
    const started: string[] = [];
    const gen = streamRound(deps(true, deferred, started), slices);
    expect(gen.next().done).toBe(true);
    expect(started).toEqual([]);
    expect(deferred).toEqual(slices.map((s) => s.key));
  });
});
