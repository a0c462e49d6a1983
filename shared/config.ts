import * as path from 'node:path';
import { DATASETS, type DatasetId } from './constants';
import { ConfigError } from './errors';

export type AuthMode = 'none' | 'apikey' | 'oauth2';

export interface Config {
  readonly schedule: string;
  readonly apiBaseUrl: string;
  readonly datasets: readonly DatasetId[];
  readonly requestTimeoutMs: number;
  readonly auth: {
    readonly mode: AuthMode;
    readonly oauthTokenUrl: string;
    readonly apiKeySecretName: string;
    readonly clientIdSecretName: string;
    readonly clientSecretSecretName: string;
  };
  readonly keyVaultUrl: string | null;
  readonly secretCacheTtlMs: number;
  readonly localSecretsFile: string;
  readonly lake:
    | {
        readonly kind: 'adls';
        readonly accountName: string;
        readonly filesystem: string;
        readonly endpoint: string;
      }
    | { readonly kind: 'local'; readonly dir: string; readonly filesystem: string };
  readonly lookbackMs: number;
  readonly maxRunSpanMs: number;
  readonly maxBackfillMs: number;
  readonly parallelism: number;
  readonly monthlyCallBudget: number;
  /** Finished instances older than this are purged from the task hub once a day. */
  readonly historyRetentionMs: number;
  readonly runningInAzure: boolean;
}

/** Environment variables that would hold a secret; the app refuses to start in Azure if any is set. */
export const FORBIDDEN_SECRET_VARIABLES = [
  'RTE_API_KEY',
  'RTE_CLIENT_ID',
  'RTE_CLIENT_SECRET',
  'RTE_OAUTH_CLIENT_ID',
  'RTE_OAUTH_CLIENT_SECRET',
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Every 15 minutes, on the quarter hour (NCRONTAB: seconds first). */
export const DEFAULT_SCHEDULE = '0 */15 * * * *';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** Parses every setting at once, so that one start reports every problem. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const str = (name: string, fallback: string): string => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? fallback : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = Number(raw.trim());
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, fallback: string, requireHttps: boolean): string => {
    const raw = str(name, fallback);
    try {
      const u = new URL(raw);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
      if (requireHttps && u.protocol !== 'https:')
        problems.push(`${name} must use https in Azure, got "${raw}"`);
      if (u.username || u.password || u.search) {
        problems.push(`${name} must not carry credentials or a query string`);
      }
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an absolute http(s) URL, got "${raw}"`);
      return fallback;
    }
  };

  const runningInAzure = Boolean(env.WEBSITE_INSTANCE_ID || env.WEBSITE_SITE_NAME);

  const schedule = str('INGESTION_SCHEDULE', DEFAULT_SCHEDULE);
  if (schedule.split(/\s+/).length !== 6) {
    problems.push(
      `INGESTION_SCHEDULE must be an NCRONTAB expression with six fields (seconds first), got "${schedule}"`,
    );
  }

  const datasetsRaw = str('RTE_DATASETS', DATASETS.join(','));
  const datasets: DatasetId[] = [];
  for (const d of datasetsRaw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if ((DATASETS as readonly string[]).includes(d)) {
      if (!datasets.includes(d as DatasetId)) datasets.push(d as DatasetId);
    } else problems.push(`RTE_DATASETS: unknown dataset "${d}" (known: ${DATASETS.join(', ')})`);
  }
  if (datasets.length === 0 && !problems.some((p) => p.startsWith('RTE_DATASETS'))) {
    problems.push('RTE_DATASETS must name at least one dataset');
  }

  const mode = str('RTE_AUTH_MODE', 'none');
  if (mode !== 'none' && mode !== 'apikey' && mode !== 'oauth2') {
    problems.push(`RTE_AUTH_MODE must be none, apikey or oauth2, got "${mode}"`);
  }

  const keyVaultRaw = env.KEY_VAULT_URL?.trim();
  let keyVaultUrl: string | null = null;
  if (keyVaultRaw) keyVaultUrl = url('KEY_VAULT_URL', keyVaultRaw, runningInAzure);
  if (runningInAzure && (mode === 'apikey' || mode === 'oauth2') && !keyVaultUrl) {
    problems.push(`RTE_AUTH_MODE=${mode} in Azure needs KEY_VAULT_URL: secrets come only from Key Vault`);
  }
  if (runningInAzure) {
    for (const name of FORBIDDEN_SECRET_VARIABLES) {
      if (env[name] !== undefined && env[name] !== '') {
        problems.push(
          `${name} is set in the app settings: secrets belong in Key Vault only; remove the setting`,
        );
      }
    }
  }

  const accountName = env.STORAGE_ACCOUNT_NAME?.trim() ?? '';
  const filesystem = str('LAKE_FILESYSTEM', 'bronze');
  if (!/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/.test(filesystem)) {
    problems.push(`LAKE_FILESYSTEM must be a valid ADLS Gen2 filesystem name, got "${filesystem}"`);
  }
  let lake: Config['lake'];
  if (accountName) {
    if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
      problems.push(`STORAGE_ACCOUNT_NAME must be 3-24 lowercase letters or digits, got "${accountName}"`);
    }
    const endpoint = url('LAKE_DFS_ENDPOINT', `https://${accountName}.dfs.core.windows.net`, runningInAzure);
    lake = { kind: 'adls', accountName, filesystem, endpoint };
  } else {
    lake = { kind: 'local', dir: path.resolve(str('LOCAL_LAKE_DIR', './data')), filesystem };
  }

  const config: Config = {
    schedule,
    apiBaseUrl: url('RTE_API_BASE_URL', 'https://odre.opendatasoft.com', runningInAzure),
    datasets,
    requestTimeoutMs: int('RTE_REQUEST_TIMEOUT_MS', 30_000, 100, 300_000),
    auth: {
      mode: mode === 'apikey' || mode === 'oauth2' ? mode : 'none',
      oauthTokenUrl: url(
        'RTE_OAUTH_TOKEN_URL',
        'https://digital.iservices.rte-france.com/token/oauth',
        runningInAzure,
      ),
      apiKeySecretName: str('RTE_API_KEY_SECRET_NAME', 'rte-api-key'),
      clientIdSecretName: str('RTE_CLIENT_ID_SECRET_NAME', 'rte-client-id'),
      clientSecretSecretName: str('RTE_CLIENT_SECRET_SECRET_NAME', 'rte-client-secret'),
    },
    keyVaultUrl,
    secretCacheTtlMs: int('SECRET_CACHE_TTL_SECONDS', 3600, 0, 86_400) * 1000,
    localSecretsFile: path.resolve(str('LOCAL_SECRETS_FILE', './local.secrets.json')),
    lake,
    lookbackMs: int('INGESTION_LOOKBACK_HOURS', 3, 0, 168) * HOUR_MS,
    maxRunSpanMs: int('INGESTION_MAX_RUN_SPAN_DAYS', 7, 1, 366) * DAY_MS,
    maxBackfillMs: int('INGESTION_MAX_BACKFILL_DAYS', 366, 1, 3660) * DAY_MS,
    parallelism: int('INGESTION_PARALLELISM', 4, 1, 32),
    monthlyCallBudget: int('RTE_MONTHLY_CALL_BUDGET', 50_000, 1, 10_000_000),
    historyRetentionMs: int('INGESTION_HISTORY_RETENTION_DAYS', 30, 1, 3650) * DAY_MS,
    runningInAzure,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

let cached: Config | undefined;

/** The process-wide config, parsed on first use (never at import time). */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}

/** For the embedded runtime and tests, which change settings between runs in one process. */
export function resetConfig(): void {
  cached = undefined;
}
