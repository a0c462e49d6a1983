import type { DatasetId } from './constants';
import type { DatasetState, RecordRunOperation } from './types';

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
  };
}

/** The watermark only moves forward; call counters roll over at UTC midnight and month start. */
export function applyRecordRun(state: DatasetState, op: RecordRunOperation): DatasetState {
  const day = op.at.slice(0, 10);
  const month = op.at.slice(0, 7);
  const advance =
    op.landedUntil !== null &&
    (state.watermark === null || Date.parse(op.landedUntil) > Date.parse(state.watermark));
  return {
    ...state,
    watermark: advance ? op.landedUntil : state.watermark,
    lastRunId: op.runId,
    lastRunStatus: op.status,
    lastRunAt: op.at,
    consecutiveFailures: op.status === 'succeeded' ? 0 : state.consecutiveFailures + 1,
    callsToday: (state.callsDay === day ? state.callsToday : 0) + op.requests,
    callsDay: day,
    callsMonth: (state.callsMonthKey === month ? state.callsMonth : 0) + op.requests,
    callsMonthKey: month,
  };
}

/** Calls this month across datasets, counting only counters of the current month. */
export function callsThisMonth(states: readonly DatasetState[], nowMs: number): number {
  const month = new Date(nowMs).toISOString().slice(0, 7);
  return states.reduce((n, s) => n + (s.callsMonthKey === month ? s.callsMonth : 0), 0);
}
