import type { DatasetId } from './constants';
import type { ErrorCode } from './errors';
import type { GapSummary } from './stateTypes';

export type Trigger = 'timer' | 'manual';

/** Orchestrator input: ISO-8601 UTC instants; the window is [from, to). */
export interface IngestionInput {
  trigger: Trigger;
  slot: string;
  from: string;
  to: string;
  datasets: DatasetId[];
  /** Bounded fan-out: how many slices are fetched or stored at once. */
  parallelism: number;
  /** Manual runs only: appended to file names, so runs started in the same second stay apart. */
  runTag?: string;
  /** Gap sweep: old windows re-read by this run (one per gap day), outside the main window. */
  sweep?: SweepWindow[];
  /** Set when the run must make no request (quota exhausted, budget spent): the reason. */
  deferred?: { until: string | null; reason: string };
  /** What the starter decided and the heartbeat repeats (a catch-up shrunk by the budget...). */
  notes?: string[];
  /** The gap ledger as read when the run started, repeated in the heartbeat. */
  gaps?: GapSummary[];
  /** How the state entity turns incomplete quarters into gaps (from the settings). */
  gapPolicy?: GapPolicy;
  /** A chunked run carries its progress from one execution to the next (continue-as-new). */
  progress?: RunProgress;
}

export interface SweepWindow {
  dataset: DatasetId;
  from: string;
  to: string;
}

export interface GapPolicy {
  horizonMs: number;
  giveUpMs: number;
}

/** Counts and watermark progress of a chunked run so far: small whatever the backfill length. */
export interface RunProgress {
  startedAt: string;
  /** Chunks done, in wave order. */
  done: number;
  records: number;
  stored: number;
  failed: number;
  fetched: number;
  /** The first failures, for the summary; the heartbeat holds them all. */
  failures: FailureInfo[];
  landed: { dataset: DatasetId; until: string | null; whole: boolean }[];
}

export interface Slice {
  /** Stable within a run, safe in a file name: `regional-20261128T031500Z`. */
  key: string;
  dataset: DatasetId;
  from: string;
  to: string;
}

/** What the fetch activity gets: the slice plus where to stage it. */
export interface FetchInput {
  instanceId: string;
  slot: string;
  slice: Slice;
  /** True when the run has more than one slice per dataset (the file name then carries a suffix). */
  multiSlice: boolean;
  runTag?: string;
  /** A lane's fetch: the slices the lane still has to fetch after this one (the gate's priority). */
  backlog?: number;
}

/** A run of consecutive incomplete instants of one slice, as checked by completeness. */
export interface IncompleteRange {
  from: string;
  to: string;
  expected: number;
  /** Rows with the published measure present, counted once per (row key, instant). */
  received: number;
  /** `missing`: rows absent; `unpublished`: rows there, published measure still null. */
  reason: GapReason;
}

export type GapReason = 'missing' | 'unpublished';

export interface Completeness {
  expected: number;
  received: number;
  /** Rows in the window whose published measure is still null (or "ND"): announced, not published. */
  nullMeasures: number;
  /** Extra rows for a (row key, instant) already seen (the spring ghost hour): counted once. */
  duplicateRows: number;
  /** Names the duplicated instants, and says when they are the spring ghost hour. */
  duplicateWarning: string | null;
  /** Incomplete instants merged into ranges: what the gap ledger is built from. */
  incomplete: IncompleteRange[];
  missingQuarterCount: number;
  /** The first missing quarters, capped so history stays small. */
  missingQuarters: string[];
  /** Fields added to or missing from the known field list. */
  schemaWarnings: string[];
  /** The earliest quarter with fewer rows than expected: the watermark stops there. */
  firstMissing: string | null;
}

export interface FailureInfo {
  dataset: DatasetId;
  window: { from: string; to: string };
  http_status: number | null;
  code: ErrorCode;
  message: string;
  retryable: boolean;
  attempts: number;
  /** The server's Retry-After, when it sent one. */
  retry_after_ms?: number;
  /** A 429 with an exhausted quota (reset_time): nothing is sent before this instant. */
  deferred_until?: string;
}

/** Fetch outcome: metadata only, never the payload (activity outputs are replayed from history). */
export type FetchResult =
  | {
      ok: true;
      slice: Slice;
      stagingPath: string;
      finalPath: string;
      sourceUrl: string;
      records: number;
      bytes: number;
      sha256: string;
      httpStatus: number;
      rateLimitRemaining: number | null;
      attempts: number;
      requests: number;
      completeness: Completeness;
    }
  | { ok: false; slice: Slice; failure: FailureInfo; requests: number };

export interface StoreInput {
  instanceId: string;
  fetched: Extract<FetchResult, { ok: true }>;
}

export interface StoredFile {
  path: string;
  bytes: number;
  sha256: string;
  records: number;
  /** False when the file was already in place from an earlier execution. */
  written: boolean;
}

/** `deferred`: nothing failed, but the quota or the budget left slices for a later run. */
export type RunStatus = 'succeeded' | 'partial' | 'failed' | 'deferred';

export interface SliceReport {
  key: string;
  dataset: DatasetId;
  window: { from: string; to: string };
  attempts: number;
  requests: number;
  file: string | null;
  completeness: Completeness | null;
}

export interface AuditInput {
  instanceId: string;
  runTag?: string;
  trigger: Trigger;
  slot: string;
  window: { from: string; to: string };
  datasets: DatasetId[];
  startedAt: string;
  finishedAt: string;
  status: RunStatus;
  files: StoredFile[];
  slices: SliceReport[];
  failures: FailureInfo[];
  deferred?: IngestionInput['deferred'];
  deferredSlices?: string[];
  notes?: string[];
  gaps?: GapSummary[];
  /** Files, slices and failures are in the chunks' detail files in staging (a chunked backfill). */
  chunked?: boolean;
}

export interface RunSummary {
  status: RunStatus;
  records: number;
  files: number;
  failures: FailureInfo[];
  /** All failures when there are more than the summary lists. */
  failureCount?: number;
  heartbeat: string;
  watermarks: Partial<Record<DatasetId, string>>;
  requests: number;
}

export interface CustomStatus {
  stage: 'fetch' | 'store' | 'audit' | 'done';
  slices: number;
  fetched: number;
  stored: number;
  failed: number;
  /** A chunked backfill: its chunk sub-orchestrations, and how many have ended. */
  chunks?: number;
  chunksDone?: number;
}

export type {
  DatasetState,
  PendingRange,
  GapEntry,
  GapSummary,
  CheckedWindow,
  RecordRunOperation,
  RecordCoverageOperation,
} from './stateTypes';
