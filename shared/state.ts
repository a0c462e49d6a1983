import type { DatasetId } from './constants';
import { updateLedger } from './gapLedger';
import type { DatasetState, GapPolicy, RecordCoverageOperation, RecordRunOperation } from './types';
import { iso } from './time';

/** Used when a run carries no policy (a run started before the setting existed). */
export const DEFAULT_GAP_POLICY: GapPolicy = { horizonMs: 24 * 3600_000, giveUpMs: 14 * 86_400_000 };

export function initialState(dataset: DatasetId): DatasetState {
  return {
    dataset,
    watermark: null,
    lastRunId: null,
    lastRunStatus: null,
    lastRunAt: null,
    consecutiveFailures: 0,
    callsToday: 0,
    callsDay: null,
    callsMonth: 0,
    callsMonthKey: null,
    incomplete: [],
    gaps: [],
    quotaExhaustedUntil: null,
    rateLimitRemaining: null,
    rateLimitAt: null,
    lastSweepDay: null,
    coverage: null,
  };
}

/** States saved before the ledger existed lack its fields. */
export function normalizeState(state: Partial<DatasetState> & { dataset: DatasetId }): DatasetState {
  return { ...initialState(state.dataset), ...state };
}

function countCalls(state: DatasetState, at: string, requests: number): DatasetState {
  const day = at.slice(0, 10);
  const month = at.slice(0, 7);
  return {
    ...state,
    callsToday: (state.callsDay === day ? state.callsToday : 0) + requests,
    callsDay: day,
    callsMonth: (state.callsMonthKey === month ? state.callsMonth : 0) + requests,
    callsMonthKey: month,
  };
}

/**
 * The watermark only moves forward, to the end of what was stored but never past an instant
 * still pending (fetched, incomplete, younger than the gap horizon): gaps do not hold it back.
 * Call counters roll over at UTC midnight and month start.
 */
export function applyRecordRun(current: DatasetState, op: RecordRunOperation): DatasetState {
  const state = normalizeState(current);
  const ledger = updateLedger(
    state.dataset,
    state,
    op.checked ?? [],
    op.at,
    op.gapPolicy ?? DEFAULT_GAP_POLICY,
    state.watermark === null ? null : Date.parse(state.watermark),
  );
  let reach = op.landedUntil === null ? null : Date.parse(op.landedUntil);
  if (reach !== null && ledger.holdAt !== null) reach = Math.min(reach, ledger.holdAt);
  const advance = reach !== null && (state.watermark === null || reach > Date.parse(state.watermark));
  // A 429 sets it; a run that got answers again, or the reset passing, clears it.
  const stillAhead =
    state.quotaExhaustedUntil !== null && Date.parse(state.quotaExhaustedUntil) > Date.parse(op.at);
  const quota =
    op.quotaExhaustedUntil !== undefined && op.quotaExhaustedUntil !== null
      ? op.quotaExhaustedUntil
      : stillAhead && (op.status === 'deferred' || op.requests === 0)
        ? state.quotaExhaustedUntil
        : null;
  const hasRate = op.rateLimitRemaining !== undefined && op.rateLimitRemaining !== null;
  return countCalls(
    {
      ...state,
      watermark: advance && reach !== null ? iso(reach) : state.watermark,
      lastRunId: op.runId,
      lastRunStatus: op.status,
      lastRunAt: op.at,
      consecutiveFailures:
        op.status === 'succeeded' || op.status === 'deferred' ? 0 : state.consecutiveFailures + 1,
      incomplete: ledger.incomplete,
      gaps: ledger.gaps,
      quotaExhaustedUntil: quota,
      rateLimitRemaining: hasRate ? (op.rateLimitRemaining ?? null) : state.rateLimitRemaining,
      rateLimitAt: hasRate ? op.at : state.rateLimitAt,
      lastSweepDay: op.swept ? op.at.slice(0, 10) : state.lastSweepDay,
    },
    op.at,
    op.requests,
  );
}

export function applyRecordCoverage(current: DatasetState, op: RecordCoverageOperation): DatasetState {
  const state = normalizeState(current);
  return countCalls({ ...state, coverage: { earliest: op.earliest, checkedAt: op.at } }, op.at, op.requests);
}

/** Calls this month across datasets, counting only counters of the current month. */
export function callsThisMonth(states: readonly DatasetState[], nowMs: number): number {
  const month = new Date(nowMs).toISOString().slice(0, 7);
  return states.reduce((n, s) => n + (s.callsMonthKey === month ? s.callsMonth : 0), 0);
}

/** The latest quota reset among the datasets still ahead of now, or null. */
export function quotaExhaustedUntil(states: readonly DatasetState[], nowMs: number): string | null {
  let until: string | null = null;
  for (const s of states) {
    const u = s.quotaExhaustedUntil;
    if (u && Date.parse(u) > nowMs && (until === null || Date.parse(u) > Date.parse(until))) until = u;
  }
  return until;
}
