/** The state entity's shapes: per-dataset state, the gap ledger, and the operations it takes. */
import type { DatasetId } from './constants';
import type { GapPolicy, IncompleteRange, GapReason, RunStatus } from './types';

/** Durable state per dataset, kept in the `ingestionState` entity. */
export interface DatasetState {
  dataset: DatasetId;
  watermark: string | null;
  lastRunId: string | null;
  lastRunStatus: RunStatus | null;
  lastRunAt: string | null;
  consecutiveFailures: number;
  callsToday: number;
  callsDay: string | null;
  callsMonth: number;
  callsMonthKey: string | null;
  /** Fetched but not landed yet, younger than the gap horizon: these hold the watermark back. */
  incomplete: PendingRange[];
  /** The gap ledger: the watermark has moved past these; the daily sweep re-reads the open ones. */
  gaps: GapEntry[];
  /** A 429 with reset_time said the quota is spent until then: runs before it send nothing. */
  quotaExhaustedUntil: string | null;
  /** X-RateLimit-Remaining of the last answer that carried it, and when. */
  rateLimitRemaining: number | null;
  rateLimitAt: string | null;
  /** UTC day (YYYY-MM-DD) of the last gap sweep, and the calls it made. */
  lastSweepDay: string | null;
  /** The first instant the dataset holds (coverage request), cached for a day. */
  coverage: { earliest: string | null; checkedAt: string } | null;
}

export interface PendingRange {
  from: string;
  to: string;
  expected: number;
  received: number;
  reason: GapReason;
  /** The first time a fetch found these instants incomplete: the horizon runs from here. */
  firstSeen: string;
  lastChecked: string;
}

/**
 * One gap of the ledger (GET /api/ingestion/state, heartbeats, `watt-watcher gaps`): instants
 * [from, to) still not landed a horizon after they were first fetched. `open` gaps are swept
 * daily; `permanent` ones (older than INGESTION_GAP_GIVE_UP_DAYS) no longer; `closed` ones filled.
 */
export interface GapEntry extends PendingRange {
  status: 'open' | 'permanent' | 'closed';
  closedAt?: string;
}

/** Per dataset, in heartbeats: the open and permanent gaps when the run started. */
export interface GapSummary {
  dataset: DatasetId;
  open: number;
  permanent: number;
  gaps: Pick<GapEntry, 'from' | 'to' | 'reason' | 'status'>[];
}

/** One window a run stored, with what completeness found incomplete in it. */
export interface CheckedWindow {
  from: string;
  to: string;
  incomplete: IncompleteRange[];
}

/** Operation `recordRun` on the state entity. */
export interface RecordRunOperation {
  runId: string;
  status: RunStatus;
  at: string;
  /** The end of the contiguous stored prefix of this run's main window, or null if nothing was stored. */
  landedUntil: string | null;
  requests: number;
  /** Every window stored (sweep included) and its incomplete instants: feeds the gap ledger. */
  checked?: CheckedWindow[];
  gapPolicy?: GapPolicy;
  quotaExhaustedUntil?: string | null;
  rateLimitRemaining?: number | null;
  swept?: boolean;
}

/** Operation `recordCoverage` on the state entity. */
export interface RecordCoverageOperation {
  earliest: string | null;
  at: string;
  requests: number;
}
