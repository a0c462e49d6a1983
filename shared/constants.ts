/** Every function name, declared once and imported on both sides of each call. */
export const FN = {
  timerStarter: 'timerStarter',
  httpStarter: 'httpStarter',
  getRun: 'getRun',
  listRuns: 'listRuns',
  getState: 'getState',
  getCoverage: 'getCoverage',
  dashboard: 'dashboard',
  orchestrator: 'ingestEco2mix',
  chunkOrchestrator: 'ingestEco2mixChunk',
  purgeHistory: 'purgeHistory',
  fetchActivity: 'fetchSlice',
  storeActivity: 'storeSlice',
  auditActivity: 'auditRun',
  chunkActivity: 'recordChunk',
  stateEntity: 'ingestionState',
} as const;

export { DATASETS, REGION_CODES, type DatasetId } from './datasets';

export const QUARTER_MS = 15 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Instance ids start with a stable prefix so that DfMon's prefix filter finds each kind of run. */
export const INSTANCE_PREFIX = {
  scheduled: 'eco2mix-',
  manual: 'eco2mix-manual-',
  backfill: 'eco2mix-backfill-',
} as const;

/** Lake layout, relative to the `bronze` filesystem. */
export const LAKE_FILESYSTEM = 'bronze';
export const PRODUCTION_DIR = 'rte/production';
export const AUDIT_DIR = 'audit/ingestion';
/** One digest per UTC day of the scheduled heartbeats (shared/coverage/digest.ts). */
export const COVERAGE_DIGEST_DIR = 'audit/coverage';
export const STAGING_DIR = '_staging/ingestion';

export const SOURCE_NAME = 'rte-eco2mix';

/** Durable retry policy: first retry after 2 s, doubling, 3 retries, each wait capped. */
export const RETRY_POLICY = {
  firstRetryIntervalMs: 2000,
  backoffCoefficient: 2,
  maxNumberOfAttempts: 4,
  maxRetryIntervalMs: 30000,
  maxJitterMs: 1000,
  /** A Retry-After up to this long earns one more round of attempts after a durable timer. */
  maxRetryAfterMs: 15 * 60 * 1000,
} as const;

/** axios-retry: retries a dropped connection within one attempt, never an HTTP status. */
export const TRANSPORT_RETRIES = 2;
