/** The benchmark's knobs (environment variables) and fixed settings, read once. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const DAY_MS = 86_400_000;
export const KEY = 'bench-key';

function intEnv(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export const COLD_REPS = intEnv('BENCH_COLD_REPS', 11);
export const BACKFILL_DAYS = intEnv('BENCH_BACKFILL_DAYS', 30);
export const LATENCY_MS = intEnv('BENCH_LATENCY_MS', 200);
export const DEFAULT_PARALLELISM = 4;
export const SCALE_DAYS = [7, 30, 90, 365];
export const SCALE_LATENCY_MS = intEnv('BENCH_SCALE_LATENCY_MS', 0);
export const MONTHLY_BUDGET = 50_000;
export const ODRE_IN_PROCESS = process.env.BENCH_ODRE_IN_PROCESS === '1';
/** BENCH_ONLY=throughput (or cold, scheduled, scaling, comma-separated): run only those sections. */
const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').filter((s) => s.length > 0));
export const runs = (section: 'cold' | 'scheduled' | 'throughput' | 'scaling'): boolean =>
  ONLY.size === 0 || ONLY.has(section);

/** What the host allows at once (fetches of one step plus the stores of the previous one). */
export function hostActivityLimit(): number {
  const hostJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'host.json'), 'utf8')) as {
    extensions?: { durableTask?: { maxConcurrentActivityFunctions?: number } };
  };
  return hostJson.extensions?.durableTask?.maxConcurrentActivityFunctions ?? 10;
}

/** The SDKs the samples import at the top of every function file. */
export const EAGER_SDKS = [
  '@azure/functions',
  'durable-functions',
  'axios',
  '@azure/identity',
  '@azure/keyvault-secrets',
  '@azure/storage-file-datalake',
];

/** Settings that would point the app elsewhere (Azure storage, Key Vault, other windows): cleared. */
export const CLEARED_SETTINGS = [
  'STORAGE_ACCOUNT_NAME',
  'LAKE_DFS_ENDPOINT',
  'LAKE_FILESYSTEM',
  'KEY_VAULT_URL',
  'RTE_AUTH_MODE',
  'RTE_DATASETS',
  'INGESTION_LOOKBACK_HOURS',
  'INGESTION_MAX_RUN_SPAN_DAYS',
  'INGESTION_MAX_BACKFILL_DAYS',
  'RTE_MONTHLY_CALL_BUDGET',
  'WEBSITE_INSTANCE_ID',
  'WEBSITE_SITE_NAME',
];

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}
